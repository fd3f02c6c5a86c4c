"""计票工作台 in a browser: sign in with a token, start the stage, feed a batch of ballot images
through the file input, and see each ballot accepted, sent to review or set aside, and why."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.waits import READ_MS, image_shown


def _row(pg, name: str):
    return pg.locator("#recent tr", has_text=name)


def test_staff_starts_the_stage_and_feeds_a_batch(pages, server, ballot, tmp_path) -> None:
    batch = {
        "01-valid.png": ballot().circle("shuji.c01.symbol").circle("weiyuan.c02.symbol").png(),
        "02-valid.png": ballot().circle("shuji.c02.symbol").cross("weiyuan.c01.symbol").png(),
        "03-dash.png": ballot().circle("shuji.c01.symbol").dash("weiyuan.c01.symbol").png(),
        "04-other-stage.png": ballot("xinren").png(),
        "05-not-an-image.png": b"this is not an image",
    }
    files = []
    for name, data in batch.items():
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))

    pg = pages.open("staff")
    # First visit in this browser: the token is asked for, and checked against its role.
    dialog = pg.locator("#who-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=token]").fill(server.tokens["scrutineer"])
    dialog.locator("input[name=name]").fill("计票人张三")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".error")).to_have_text("这不是计票工作人员的令牌")
    dialog.locator("input[name=token]").fill(server.tokens["staff"])
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(pg.locator("#who")).to_contain_text("计票人张三")

    pg.select_option("#stage-pick", "xuanju")
    pg.fill("input[name=present]", "38")
    pg.fill("input[name=issued]", "38")
    pg.click("#start-btn")
    expect(pg.locator("#stage-status")).to_have_attribute("data-status", "open")
    expect(pg.locator("[data-counter=issued] .v")).to_have_text("38")
    expect(pg.locator("[data-counter=box] .v")).to_have_text("—")  # no ballot box connected

    pg.set_input_files("#files-in", files)
    expect(pg.locator("#picked")).to_have_text("已选 5 个文件")
    pg.click("#upload-btn")
    expect(pg.locator("#upload-status")).to_have_attribute("data-done", "5", timeout=READ_MS)
    expect(pg.locator("#recent tr")).to_have_count(5, timeout=READ_MS)
    expect(pg.locator("[data-counter=queue] .v")).to_have_text("0", timeout=READ_MS)
    for key, value in {"scanned": "5", "returned": "4", "valid": "2", "invalid": "0", "pending": "2",
                       "rejected": "1"}.items():
        expect(pg.locator(f"[data-counter={key}] .v")).to_have_text(value, timeout=READ_MS)
    for name, status in {"01-valid": "valid", "02-valid": "valid", "03-dash": "pending",
                         "04-other-stage": "rejected", "05-not-an-image": "pending"}.items():
        expect(_row(pg, name)).to_have_attribute("data-status", status, timeout=READ_MS)
    expect(pg.locator("#review-link")).to_have_attribute("href", "review.html")

    # Each ballot as read: accepted with its votes, needing review and why, set aside and why.
    verdict = pg.locator("#current-body .verdict")
    _row(pg, "01-valid").click()
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(pg.locator("#current-body .chip.agree", has_text="王建国")).to_be_visible()
    _row(pg, "03-dash").click()
    expect(verdict).to_have_attribute("data-status", "pending")
    expect(verdict).to_contain_text("丁一凡符号栏")
    image_shown(pg, "#current-body img")
    pages.shot(pg, "staff-1920")
    _row(pg, "04-other-stage").click()
    expect(verdict).to_have_attribute("data-status", "rejected")
    expect(verdict).to_contain_text("xinren")
    _row(pg, "05-not-an-image").click()
    expect(verdict).to_contain_text("请重新放入")

    # Pause and resume, each with a reason; every action is logged in the person's name.
    pg.click("#pause-btn")
    reason = pg.locator("#reason-dialog")
    expect(reason.locator("textarea")).to_have_value("暂停计票")
    reason.locator("textarea").fill("换扫描仪纸盒")
    reason.locator("button[type=submit]").click()
    expect(pg.locator("#stage-status")).to_have_attribute("data-status", "paused")
    pg.click("#resume-btn")
    pg.locator("#reason-dialog button[type=submit]").click()
    expect(pg.locator("#stage-status")).to_have_attribute("data-status", "open")
    log = server.get("/api/log")
    paused = next(e for e in log if e["action"] == "stage_paused")
    assert paused["actor"] == "计票人张三" and paused["reason"] == "换扫描仪纸盒"
    uploads = [e for e in log if e["action"] == "image_uploaded"]
    assert [e["payload"]["name"] for e in uploads] == list(batch) and {e["actor"] for e in uploads} == {"计票人张三"}

    # English, kept for this browser.
    pg.click("[data-lang-switch]")
    expect(pg.locator("h1")).to_have_text("Staff console")
    pg.reload()
    expect(pg.locator("h1")).to_have_text("Staff console")
    expect(pg.locator("[data-counter=valid] .k")).to_have_text("valid")
    _row(pg, "01-valid").click()
    image_shown(pg, "#current-body img")
    pages.shot(pg, "staff-1920-en")

    laptop = pages.open("staff", signed_in=("staff",), width=1366, height=768)
    expect(laptop.locator("#recent tr")).to_have_count(5)
    _row(laptop, "03-dash").click()
    image_shown(laptop, "#current-body img")
    pages.shot(laptop, "staff-1366")
