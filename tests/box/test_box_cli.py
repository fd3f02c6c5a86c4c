"""`ballot-station box ...` against a simulated box."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from firmware_bridge.sim import forget_sim_device
from station.cli import main


@pytest.fixture
def url() -> Iterator[str]:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    yield f"sim://{name}"
    forget_sim_device(name)


def test_status_count_and_text_with_a_wire_trace(url: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["box", "count", "42", "--url", url]) == 0
    trace = tmp_path / "wire.txt"
    assert main(["box", "text", "2", "请重新放入", "--url", url, "--trace", str(trace)]) == 0
    assert main(["box", "status", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "计数器 counter: [  42]" in out and "2│请重新放入" in out
    assert "SHOW_TEXT seq=2" in trace.read_text(encoding="utf-8")


def test_user_errors_are_bilingual_with_exit_2(url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["box", "count", "10000", "--url", url]) == 2
    assert main(["box", "status", "--url", "/nonexistent/tty", "--timeout", "0.3"]) == 2
    err = capsys.readouterr().err
    assert "错误：计数器只能显示 0–9999" in err and "Error: the counter shows 0–9999 only" in err
    assert "投票箱无响应" in err and "the ballot box is not answering" in err
