"""A USB camera over the table (OpenCV VideoCapture): one capture per ballot laid under it.

Each frame is measured by vision.stillness (fiducials on a reduced copy, motion, page
difference, sharpness) and fed to station.sources.ballot_watch, which says when to take
a frame. The taken frame is the camera's raw pixels, so it is encoded losslessly (PNG)
and the metadata says so; nothing else about it is changed.

`device` is a camera index (/dev/videoN) or a path: a video file is read frame by frame
as fast as it decodes, with its own timestamps (frame index / fps), which is how the
tests and the benchmark replay a recorded session. A live camera is timed by the
monotonic clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from station.sources.ballot_watch import (
    BallotWatcher,
    Observation,
    StateChanged,
    TakeFrame,
    TooBlurred,
    WatchSettings,
)
from station.sources.capture import CameraMeta, Capture, Clock, SourceKind, utc_now
from station.sources.events import (
    CameraStatus,
    Captured,
    ErrorCode,
    Finished,
    FinishReason,
    SourceError,
    SourceEvent,
    failed,
)
from vision.image_io import encode_png
from vision.stillness import FrameMeasure, measure_frame, thumbnail_difference


class CameraConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    device: int | str = Field(0, description="camera index (/dev/videoN) or a video file / stream path")
    width: int | None = Field(1280, ge=160, description="requested frame width (live cameras)")
    height: int | None = Field(720, ge=120, description="requested frame height (live cameras)")
    detect_max_side: int = Field(960, ge=320, description="fiducials are looked for on a copy this large")
    watch: WatchSettings = WatchSettings()
    max_failed_reads: int = Field(30, ge=1, description="a live camera giving no frame this many times: lost")

    @property
    def is_file(self) -> bool:
        return isinstance(self.device, str) and Path(self.device).is_file()


Frame = tuple[int, np.ndarray, FrameMeasure]  # index, BGR pixels, measures


class CameraSource:
    kind = SourceKind.CAMERA

    def __init__(self, config: CameraConfig, clock: Clock = utc_now, monotonic: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self.monotonic = monotonic

    def _open(self) -> cv2.VideoCapture:
        cfg = self.config
        cap = cv2.VideoCapture(cfg.device)
        if cap.isOpened() and not cfg.is_file:
            if cfg.width and cfg.height:
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, cfg.width)
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, cfg.height)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not one queued a second ago
        return cap

    def events(self, stop: threading.Event) -> Iterator[SourceEvent]:
        cfg = self.config
        cap = self._open()
        try:
            if not cap.isOpened():
                yield from failed(ErrorCode.CAMERA_NOT_FOUND, 0, what=str(cfg.device))
                return
            yield from self._watch(cap, stop)
        finally:
            cap.release()

    def _watch(self, cap: cv2.VideoCapture, stop: threading.Event) -> Iterator[SourceEvent]:
        cfg = self.config
        fps = cap.get(cv2.CAP_PROP_FPS) or 15.0
        is_file = cfg.is_file  # a file ends; a live camera that stops sending is lost
        watcher: BallotWatcher[Frame] = BallotWatcher(cfg.watch)
        yield CameraStatus.of(watcher.state)
        t0 = self.monotonic()
        index = failed = captured = 0
        previous: FrameMeasure | None = None
        captured_thumb: np.ndarray | None = None
        while not stop.is_set():
            ok, frame = cap.read()
            if not ok:
                if is_file:
                    yield Finished.of(FinishReason.DONE, captured)
                    return
                failed += 1
                if failed >= cfg.max_failed_reads:
                    yield from failed(ErrorCode.CAMERA_LOST, captured, what=str(cfg.device))
                    return
                continue
            failed = 0
            t = index / fps if is_file else self.monotonic() - t0
            m = measure_frame(frame, previous, cfg.detect_max_side)
            previous = m
            change = thumbnail_difference(m.thumbnail, captured_thumb) if captured_thumb is not None else None
            obs = Observation(t, m.present, m.motion_px, m.frame_diff, m.sharpness, change, (index, frame, m))
            for d in watcher.step(obs):
                if isinstance(d, StateChanged):
                    yield CameraStatus.of(d.state)
                elif isinstance(d, TooBlurred):
                    yield SourceError.of(ErrorCode.CAMERA_BLURRED, f"sharpness {d.sharpness:.1f}")
                elif isinstance(d, TakeFrame):
                    captured += 1
                    taken_index, pixels, taken = d.observation.payload
                    captured_thumb = taken.thumbnail
                    yield Captured(self._capture(taken_index, (d.observation.t, t), pixels, taken, d.still_s, captured))
            index += 1
        yield Finished.of(FinishReason.STOPPED, captured)

    def _capture(
        self, index: int, times: tuple[float, float], pixels: np.ndarray, m: FrameMeasure, still_s: float, number: int
    ) -> Capture:
        h, w = pixels.shape[:2]
        meta = CameraMeta(
            device=str(self.config.device),
            frame_index=index,
            frame_time_s=round(times[0], 3),
            decided_time_s=round(times[1], 3),
            width=w,
            height=h,
            sharpness=round(m.sharpness, 2),
            still_s=round(still_s, 3),
            capture_number=number,
        )
        now = self.clock()
        name = f"camera-{now:%Y%m%d-%H%M%S}-{number:04d}.png"
        return Capture(encode_png(pixels), name, SourceKind.CAMERA, now, meta)
