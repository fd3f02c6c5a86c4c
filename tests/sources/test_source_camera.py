"""The camera source on a recorded session: three ballots laid on a table one after another
(sample_ballots.camera_video: motion blur while moving, sensor noise, a hand over a corner),
replayed through OpenCV VideoCapture from an MJPG file written in the test's temp folder."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest

from calibration.profile import load_profile
from sample_ballots.camera_video import FPS, Placement, write_ballot_video
from station.sources import (
    CameraConfig,
    CameraSource,
    CameraStatus,
    Capture,
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    SourceError,
    SourceKind,
    SourceThread,
    WatchState,
)
from station.sources.ballot_watch import WatchSettings
from vision.fiducials import detect_markers
from vision.image_io import load_pages
from vision.reader import read_page, to_gray
from vision.stillness import marker_quad, sharpness

STAGES = ("tuijian", "xinren", "xuanju")


@dataclass(frozen=True)
class Session:
    video: Path
    placements: list[Placement]
    events: list


@pytest.fixture(scope="session")
def session(stage_pages, tmp_path_factory) -> Session:
    video = tmp_path_factory.mktemp("camera") / "table.avi"
    placements = write_ballot_video(video, [stage_pages[s] for s in STAGES])
    events = list(CameraSource(CameraConfig(device=str(video))).events(threading.Event()))
    return Session(video, placements, events)


def _captures(events) -> list[Capture]:
    return [e.capture for e in events if isinstance(e, Captured)]


def _frame(video: Path, index: int):
    cap = cv2.VideoCapture(str(video))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)  # MJPG: every frame is a key frame, seeking is exact
        ok, frame = cap.read()
        assert ok
        return frame
    finally:
        cap.release()


def test_exactly_one_capture_per_ballot_from_its_still_frames(session):
    caps = _captures(session.events)
    assert len(caps) == len(STAGES)
    settle = WatchSettings().settle_s
    for cap, p in zip(caps, session.placements, strict=True):
        m = cap.metadata
        assert p.still_from <= m.frame_index <= p.still_to and m.frame_index not in p.hand_frames
        # Decided settle_s after it came to rest, give or take the first still frame.
        assert settle <= m.decided_time_s - p.still_from / FPS <= settle + 2 / FPS
    assert session.events[-1] == Finished.of(FinishReason.DONE, 3)


def test_each_capture_is_sharp_not_motion_blurred(session):
    for cap, p in zip(_captures(session.events), session.placements, strict=True):
        still = to_gray(load_pages(cap.data)[0])
        arriving = to_gray(_frame(session.video, p.still_from - 1))  # the last, slowest moving frame
        quad = marker_quad(detect_markers(still))
        assert sharpness(still, quad) == pytest.approx(cap.metadata.sharpness, rel=0.02)
        assert sharpness(still, quad) > 3 * sharpness(arriving, quad)


def test_each_capture_is_the_camera_frame_losslessly_and_reads_as_its_stage(session, templates):
    profile = load_profile("camera")
    for cap, stage in zip(_captures(session.events), STAGES, strict=True):
        assert cap.kind is SourceKind.CAMERA and cap.data[:8] == b"\x89PNG\r\n\x1a\n"
        m = cap.metadata
        assert (m.encoding, m.lossless, m.width, m.height) == ("png", True, 1280, 720)
        [pixels] = load_pages(cap.data)
        assert (pixels == _frame(session.video, m.frame_index)).all()
        outcome = read_page(pixels, templates, profile, expected_stage=stage)
        assert outcome.outcome == "interpreted", outcome
        assert outcome.identity.stage_id == stage


def test_status_tells_staff_what_to_do(session):
    states = [e.state for e in session.events if isinstance(e, CameraStatus)]
    cycle = [WatchState.SETTLING, WatchState.CAPTURED, WatchState.WAITING]
    assert states == [WatchState.WAITING] + cycle * 3


def test_out_of_focus_is_reported_not_captured(session):
    cfg = CameraConfig(device=str(session.video), watch=WatchSettings(min_sharpness=1e9))
    events = list(CameraSource(cfg).events(threading.Event()))
    assert _captures(events) == []
    errors = [e for e in events if isinstance(e, SourceError)]
    assert [e.code for e in errors] == [ErrorCode.CAMERA_BLURRED] * 3  # once per ballot
    assert errors[0].zh.startswith("选票已放稳，但图像不够清晰")


def test_stop_while_watching_releases_the_camera(session):
    got: queue.Queue = queue.Queue()
    with SourceThread(CameraSource(CameraConfig(device=str(session.video))), sink=got.put):
        while not isinstance(got.get(timeout=30), Captured):
            pass
    rest = []
    while not got.empty():
        rest.append(got.get())
    assert isinstance(rest[-1], Finished) and rest[-1].reason is FinishReason.STOPPED


def test_no_camera(tmp_path):
    events = list(CameraSource(CameraConfig(device=str(tmp_path / "no-such-camera.avi"))).events(threading.Event()))
    assert [e.type for e in events] == ["error", "finished"]
    assert events[0].code is ErrorCode.CAMERA_NOT_FOUND and events[0].zh.startswith("找不到摄像头")
