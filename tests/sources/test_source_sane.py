"""SANE scanners, for real: scanimage with SANE's `test` backend in a private SANE_CONFIG_DIR.

The test backend's pages are test patterns, not ballots; what is checked is the batch
plumbing: pages arrive one by one as whole images, counts are right, duplex sides are
paired and blank sides dropped, errors are typed and bilingual, and nothing is left
behind (no process, no batch folder) however the batch ends.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from station.sources import (
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    OtherSide,
    Progress,
    SaneConfig,
    SaneScanner,
    ScanFormat,
    Side,
    SourceError,
    SourceKind,
    SourceThread,
)
from station.sources.sane import ScannedPage, SheetPairer, _measure_ink, classify_failure, scanimage_command
from vision.image_io import load_pages

ADF = "Automatic Document Feeder"  # the test backend's feeder: empty after 10 pages
GRID_PX = int(200 / 25.4 * 200)  # 200 mm at 200 dpi (SANE truncates)


@pytest.fixture
def config(sane_dir: Path, tmp_path: Path):
    def make(**kw) -> SaneConfig:
        base = {"device": "test", "source": ADF, "sane_config_dir": sane_dir, "spool_dir": tmp_path / "spool"}
        return SaneConfig(**{**base, **kw})

    return make


def _run(cfg: SaneConfig, clock=None) -> list:
    scanner = SaneScanner(cfg, clock=clock.now) if clock else SaneScanner(cfg)
    return list(scanner.events(threading.Event()))


def _spool_empty(cfg: SaneConfig) -> bool:
    return not any(cfg.spool_dir.iterdir())


def test_a_feeder_batch_delivers_every_page_whole_in_order(config, clock, no_leftover_children):
    cfg = config()
    events = _run(cfg, clock)
    caps = [e.capture for e in events if isinstance(e, Captured)]
    assert len(caps) == 10  # the test feeder holds 10 sheets
    for i, cap in enumerate(caps, start=1):
        assert cap.kind is SourceKind.SCANNER and cap.data[:8] == b"\x89PNG\r\n\x1a\n"
        [page] = load_pages(cap.data)
        assert page.shape == (GRID_PX, GRID_PX) and page.dtype == np.uint8
        assert 0 < float((page < 128).mean()) < 1  # the grid is there: a whole picture, not an empty file
        m = cap.metadata
        assert (m.page, m.sheet, m.side, m.other_side) == (i, i, Side.SIMPLEX, OtherSide.NONE)
        assert (m.resolution_dpi, m.mode, m.format, m.blank) == (200, "Gray", "png", None)
        assert cap.name.endswith(f"-p{i:04d}.png") and cap.received_at == clock.now()
    progress = [e for e in events if isinstance(e, Progress)]
    assert [p.done for p in progress] == list(range(1, 11)) and progress[0].zh == "已扫描 1 页"
    assert events[-1] == Finished.of(FinishReason.DONE, 10)
    assert _spool_empty(cfg)


def test_page_count_and_tiff(config):
    cfg = config(page_count=3, format=ScanFormat.TIFF)
    caps = [e.capture for e in _run(cfg) if isinstance(e, Captured)]
    assert len(caps) == 3
    assert all(c.data[:4] == b"MM\x00*" and c.name.endswith(".tif") for c in caps)  # big-endian TIFF as written
    assert all(load_pages(c.data)[0].shape == (GRID_PX, GRID_PX) for c in caps)
    assert [p.total for p in [e for e in _run(cfg) if isinstance(e, Progress)]] == [3, 3, 3]


def test_duplex_printed_sides_are_paired_front_back(config):
    caps = [e.capture for e in _run(config(duplex=True)) if isinstance(e, Captured)]
    assert [(c.metadata.sheet, c.metadata.side) for c in caps] == [
        (s, side) for s in range(1, 6) for side in (Side.FRONT, Side.BACK)
    ]
    assert all(c.metadata.other_side is OtherSide.KEPT and c.metadata.blank is False for c in caps)


def test_duplex_blank_sheets_keep_one_side_marked_blank(config):
    cfg = config(duplex=True, extra_args=("--test-picture", "Solid white"))
    events = _run(cfg)
    caps = [e.capture for e in events if isinstance(e, Captured)]
    assert [(c.metadata.sheet, c.metadata.side) for c in caps] == [(s, Side.FRONT) for s in range(1, 6)]
    for c in caps:
        m = c.metadata
        assert m.blank is True and m.ink_share == 0 and m.other_side is OtherSide.BLANK_DROPPED
        assert m.other_side_sha256 is not None and len(m.other_side_sha256) == 64
    assert events[-1] == Finished.of(FinishReason.DONE, 5)
    assert _spool_empty(cfg)


@pytest.mark.parametrize(
    ("status", "code", "zh"),
    [
        ("SANE_STATUS_JAMMED", ErrorCode.JAMMED, "扫描仪卡纸"),
        ("SANE_STATUS_NO_DOCS", ErrorCode.NO_PAPER, "进纸器中没有选票"),
        ("SANE_STATUS_COVER_OPEN", ErrorCode.COVER_OPEN, "扫描仪盖板未关"),
        ("SANE_STATUS_DEVICE_BUSY", ErrorCode.SCANNER_BUSY, "扫描仪正被其他程序使用"),
        ("SANE_STATUS_IO_ERROR", ErrorCode.SCANNER_IO, "扫描仪通信错误"),
        ("SANE_STATUS_ACCESS_DENIED", ErrorCode.ACCESS_DENIED, "没有使用扫描仪的权限"),
    ],
)
def test_device_errors_are_typed_and_bilingual(config, status, code, zh, no_leftover_children):
    cfg = config(extra_args=("--read-return-value", status))
    events = _run(cfg)
    assert not [e for e in events if isinstance(e, Captured)]  # the broken page is not delivered
    [err] = [e for e in events if isinstance(e, SourceError)]
    assert err.code is code and err.fatal and err.zh.startswith(zh)
    assert "sane_read" in err.detail  # scanimage's own words, for the log
    assert events[-1] == Finished.of(FinishReason.FAILED, 0)
    assert _spool_empty(cfg)


@pytest.mark.parametrize("device", ["test:7", "fujitsu:fi-7160:1234"])
def test_no_such_scanner(config, device):
    [err, end] = _run(config(device=device))
    assert err.code is ErrorCode.SCANNER_NOT_FOUND
    assert err.zh == f"找不到扫描仪：请检查电源、数据线和设备名称：{device}"
    assert err.en.startswith("scanner not found") and device in err.en
    assert end.reason is FinishReason.FAILED


def test_no_scanner_at_all(config, tmp_path):
    empty = tmp_path / "no-backends"
    empty.mkdir()
    (empty / "dll.conf").write_text("\n")
    [err, _] = _run(config(device=None, sane_config_dir=empty))
    assert err.code is ErrorCode.SCANNER_NOT_FOUND


def test_scanimage_not_installed(config, tmp_path):
    [err, end] = _run(config(scanimage=str(tmp_path / "no-scanimage")))
    assert err.code is ErrorCode.SCANIMAGE_MISSING and err.zh.startswith("未安装扫描程序")
    assert end.reason is FinishReason.FAILED


def test_stop_in_the_middle_of_a_batch_ends_the_process(config, no_leftover_children):
    # The flatbed in batch mode never runs out: the batch ends only when stopped.
    cfg = config(source="Flatbed", resolution=100)
    got: queue.Queue = queue.Queue()
    scanner = SaneScanner(cfg)
    with SourceThread(scanner, sink=got.put):
        pages = 0
        while pages < 3:
            pages += isinstance(got.get(timeout=20), Captured)
    events = []
    while not got.empty():
        events.append(got.get())
    assert events[-1].reason is FinishReason.STOPPED
    assert Path(f"/proc/{scanner.last_pid}").exists() is False
    assert _spool_empty(cfg)


def test_a_consumer_that_stops_reading_still_leaves_nothing_behind(config, no_leftover_children):
    cfg = config(source="Flatbed", resolution=100)
    gen = SaneScanner(cfg).events(threading.Event())
    assert any(isinstance(e, Captured) for e in gen)  # stops at the first capture
    gen.close()
    assert _spool_empty(cfg)


def test_a_hung_scanner_is_reported_and_killed(config, tmp_path, no_leftover_children):
    """FAKE scanimage: a script that says nothing and never ends, standing in for a hung
    device (which the test backend cannot do). It ignores SIGTERM, so SIGKILL is needed."""
    fake = tmp_path / "fake-hung-scanimage"
    fake.write_text("#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n")
    fake.chmod(0o755)
    events = _run(config(scanimage=str(fake), page_timeout_s=0.3, stop_grace_s=0.3))
    assert [e.type for e in events] == ["error", "finished"]
    assert events[0].code is ErrorCode.SCANNER_NOT_RESPONDING


def test_command_line_for_a_real_duplex_scanner():
    cfg = SaneConfig(device="fujitsu:fi-7160:12345", source="ADF Duplex", duplex=True, page_count=50)
    cmd = scanimage_command(cfg, Path("/spool/b"))
    assert cmd == [
        "scanimage",
        "--device-name",
        "fujitsu:fi-7160:12345",
        "--source",
        "ADF Duplex",
        "--resolution",
        "200",
        "--mode",
        "Gray",
        "--format=png",
        "--batch=/spool/b/page-%04d.png",
        "--batch-print",
        "--batch-count=50",
    ]
    with pytest.raises(ValueError, match="set by the station"):
        SaneConfig(extra_args=("--batch=/elsewhere/p%d.png",))


def test_classify_failure_end_of_feeder_is_normal_after_pages():
    msg = "scanimage: sane_start: Document feeder out of documents\n"
    assert classify_failure(msg, 0, pages=12) is None
    assert classify_failure(msg, 0, pages=0) is ErrorCode.NO_PAPER
    assert classify_failure("something new\n", 1, pages=3) is ErrorCode.SCANNER_FAILED


def _page(n: int, data: bytes) -> ScannedPage:
    return ScannedPage(n, Path(tempfile.gettempdir()) / f"nonexistent-{n}.png", data, _measure_ink(data))


def test_pairing_real_ballot_sides(blank_render, png):
    """Duplex pairing on a rendered ballot and a blank back, measured by vision.blank."""
    ballot = png(blank_render("xuanju", "main", 150))
    blank = png(np.full((1754, 1240), 250, np.uint8))
    # Faint show-through of the printing on the back is still blank.
    show_through = blank_render("xuanju", "main", 150)[:, ::-1] // 8 + 222
    faint = png(show_through.astype(np.uint8))
    pairer = SheetPairer(duplex=True, drop_blank=True, max_ink_share=0.002)
    assert pairer.add(_page(1, ballot)) == []  # the front waits for its back
    [k] = pairer.add(_page(2, faint))
    assert (k.page.page, k.side, k.other_side, k.blank) == (1, Side.FRONT, OtherSide.BLANK_DROPPED, False)
    assert k.other.page == 2
    pairer.add(_page(3, blank))
    [k] = pairer.add(_page(4, ballot))  # fed upside down: the ballot is on the back
    assert (k.page.page, k.side, k.other_side) == (4, Side.BACK, OtherSide.BLANK_DROPPED)
    pairer.add(_page(5, ballot))
    assert [(k.side, k.other_side) for k in pairer.add(_page(6, ballot))] == [
        (Side.FRONT, OtherSide.KEPT),
        (Side.BACK, OtherSide.KEPT),
    ]
    pairer.add(_page(7, ballot))
    [k] = pairer.flush()  # the batch ended (jam, stop) before page 8
    assert (k.page.page, k.other_side) == (7, OtherSide.MISSING)
    keep_all = SheetPairer(duplex=True, drop_blank=False, max_ink_share=0.002)
    keep_all.add(_page(1, ballot))
    assert len(keep_all.add(_page(2, blank))) == 2
