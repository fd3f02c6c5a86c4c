"""监票人审核 in a browser: a ballot with a dash in a box goes to review; a scrutineer sees the
box enlarged beside the whole ballot and decides it, with names and a reason; a written-in
name is read by people; the queue empties; staff close the count with a reason."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.waits import READ_MS, image_shown


def test_a_ballot_goes_to_review_and_a_scrutineer_decides_it(pages, server, ballot) -> None:
    server.start_stage()
    dash = server.upload(ballot().circle("shuji.c01.symbol").dash("weiyuan.c01.symbol").png(), "dash.png")
    named = server.upload(
        ballot().cross("shuji.c01.symbol").circle("shuji.c01.alt_symbol").write("shuji.c01.alt_name").png(), "named.png"
    )
    server.wait_read(2)
    assert server.get("/api/state")["counters"]["pending"] == 2

    pg = pages.open("review", signed_in=("scrutineer",))
    expect(pg.locator(".queue-item")).to_have_count(2, timeout=READ_MS)
    pg.click(f".queue-item[data-key='{dash['sha256']}:0']")
    item = pg.locator(".item[data-box='weiyuan.c01.symbol']")
    expect(item).to_contain_text("丁一凡符号栏")
    crop = item.locator("img.crop")
    expect(crop).to_have_attribute("src", f"/api/images/{dash['sha256']}/0/crop/weiyuan.c01.symbol.png")
    image_shown(pg, "img.crop")
    image_shown(pg, "#whole img")
    expect(pg.locator("#whole img")).to_have_attribute("src", f"/api/images/{dash['sha256']}/0/view.png"
                                                      "?highlight=weiyuan.c01.symbol")
    expect(pg.locator("#by")).to_have_value("总监票人王某")  # entered once, with the token
    pg.fill("#why", "横线不是规定的符号，按×计")
    pages.shot(pg, "review-1920")

    # Every decision needs a reason of its own: none given, nothing is recorded.
    pg.fill("#why", "")
    item.locator("[data-mark=cross]").click()
    expect(pg.locator("#form-error")).to_have_text("请填写理由")
    assert not [e for e in server.get("/api/log") if e["action"] == "decision"]

    pg.fill("#by", "总监票人王某、监票人李某")
    pg.fill("#why", "横线不是规定的符号，按×计")
    item.locator("[data-mark=cross]").click()
    expect(pg.locator(".queue-item")).to_have_count(1)
    expect(pg.locator("#why")).to_have_value("")
    decided = server.get(f"/api/ballots/{dash['sha256']}/0")
    assert decided["status"] == "valid"
    weiyuan = next(c for c in decided["count"]["contests"] if c["contest"] == "weiyuan")
    assert weiyuan["choices"]["丁一凡"] == "disagree"
    entry = [e for e in server.get("/api/log") if e["action"] == "decision"][-1]
    assert (entry["actor"], entry["role"], entry["reason"]) == ("总监票人王某、监票人李某", "scrutineer",
                                                                "横线不是规定的符号，按×计")
    assert entry["payload"]["mark_class"] == "cross" and entry["payload"]["box_id"] == "weiyuan.c01.symbol"

    # The write-in: people read the name; the queue moves on to it by itself.
    expect(pg.locator(".queue-item.sel")).to_have_attribute("data-key", f"{named['sha256']}:0")
    write = pg.locator(".item[data-code=write_in_unnamed]")
    write.locator(".writein-name").fill("赵敏")
    pg.fill("#why", "另选人栏写的是赵敏")
    write.locator("[data-act=name]").click()
    expect(pg.locator("#empty")).to_be_visible()
    expect(pg.locator(".queue-item")).to_have_count(0)
    counted = server.get(f"/api/ballots/{named['sha256']}/0")["count"]
    shuji = next(c for c in counted["contests"] if c["contest"] == "shuji")
    assert shuji["write_ins"] == ["赵敏"] and shuji["choices"]["王建国"] == "disagree"
    state = server.get("/api/state")
    assert state["counters"]["pending"] == 0 and state["result"]["status"] == "final"

    # Staff close the count: it asks for a reason, then offers the frozen reports.
    staff = pages.open("staff", signed_in=("staff",))
    expect(staff.locator("#stage-status")).to_have_attribute("data-status", "open")
    staff.click("#close-btn")
    dialog = staff.locator("#reason-dialog")
    expect(dialog.locator("textarea")).to_have_value("")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()  # no reason, no closing
    dialog.locator("textarea").fill("全部选票已计完")
    dialog.locator("button[type=submit]").click()
    expect(staff.locator("#stage-status")).to_have_attribute("data-status", "closed")
    expect(staff.locator("#files a", has_text="count-report.pdf")).to_be_visible()
    closed = next(e for e in server.get("/api/log") if e["action"] == "stage_closed")
    assert closed["actor"] == "计票人张三" and closed["reason"] == "全部选票已计完"

    # The hall screen now shows the frozen result, with who is elected or why seats are unfilled.
    hall = pages.open("observer")
    expect(hall.locator("#status")).to_have_attribute("data-status", "final")
    expect(hall.locator("[data-contest=shuji] .outcome")).to_contain_text("另行选举")
    expect(hall.locator("[data-contest=weiyuan] .outcome")).to_be_in_viewport()
    image_shown(hall, "#chang-body img")
    pages.shot(hall, "observer-closed-1920")
