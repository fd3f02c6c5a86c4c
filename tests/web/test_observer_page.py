"""大屏幕 in a browser: the tallies change while the page stays loaded, the 唱票 shows each
ballot with what it counted for, and after a power cut the screen says it is reconnecting
and comes back by itself."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.waits import READ_MS, image_shown


def test_observers_screen_updates_without_reload_and_reconnects(pages, server, ballot) -> None:
    server.start_stage(present=38, issued=38)
    pg = pages.open("observer")
    tally = pg.locator("[data-contest=shuji] [data-person='王建国'] .num")
    expect(tally).to_have_text("0")
    expect(pg.locator("#status")).to_have_attribute("data-status", "counting")
    expect(pg.locator("[data-fig=quorum] .v")).to_have_text("已达到")
    expect(pg.locator("[data-fig=should] .v")).to_have_text("40")
    # the threshold line of election: more than half of 40 (2020 rule: should attend) is 21
    expect(pg.locator("[data-contest=shuji] .contest-head")).to_contain_text("当选至少 21 票")
    expect(pg.locator("[data-contest=shuji] .line").first).to_have_attribute("title", "21")
    expect(pg.locator("[data-contest=shuji] .line")).to_have_count(2)
    pg.evaluate("window.stillTheSamePage = true")

    server.upload(ballot().circle("shuji.c01.symbol").circle("weiyuan.c01.symbol").cross("weiyuan.c02.symbol").png(),
                  "a.png")
    server.upload(ballot().circle("shuji.c01.symbol").circle("weiyuan.c03.symbol").png(), "b.png")
    expect(tally).to_have_text("2", timeout=READ_MS)
    expect(pg.locator("[data-fig=returned] .v")).to_contain_text("2", timeout=READ_MS)
    expect(pg.locator("[data-contest=weiyuan] [data-person='丁一凡'] .num")).to_have_text("1")
    assert pg.evaluate("window.stillTheSamePage") is True

    # 唱票: the ballot just read, upright, with what it counted for
    chang = pg.locator("#chang-body")
    expect(chang.locator(".verdict")).to_have_attribute("data-status", "valid", timeout=READ_MS)
    expect(chang.locator(".chip.agree", has_text="王建国")).to_be_visible()
    image_shown(pg, "#chang-body img")
    expect(pg.locator("#conn")).to_be_hidden()
    pages.shot(pg, "observer-1920")

    # A power cut: the station is killed. The screen says so, and recovers by itself.
    pages.allow(re.compile(r"net::ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING|EMPTY_RESPONSE)"))
    server.stop(hard=True)
    expect(pg.locator("#conn")).to_be_visible(timeout=15_000)
    expect(pg.locator("#conn")).to_have_text("重新连接中…")
    server.start()
    expect(pg.locator("#conn")).to_be_hidden(timeout=30_000)
    server.upload(ballot().circle("shuji.c01.symbol").png(), "c.png")
    expect(tally).to_have_text("3", timeout=READ_MS)
    assert pg.evaluate("window.stillTheSamePage") is True

    laptop = pages.open("observer", width=1366, height=768, lang="en")
    expect(laptop.locator("[data-contest=shuji] [data-person='王建国'] .num")).to_have_text("3")
    expect(laptop.locator("#status")).to_have_text("Counting")
    image_shown(laptop, "#chang-body img")
    pages.shot(laptop, "observer-1366-en")
