"""What a source reports while it runs: a tagged union of events, each with Chinese first.

A source's `events(stop)` generator yields these; `SourceThread` passes them to a sink.
Errors are typed (`ErrorCode`) so the station can act on them (a jam stops the batch and
tells staff to clear it), and carry a bilingual message for the console as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from station.sources.capture import Capture


class ErrorCode(StrEnum):
    # Scanner (SANE)
    SCANIMAGE_MISSING = "scanimage_missing"
    SCANNER_NOT_FOUND = "scanner_not_found"
    NO_PAPER = "no_paper"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    SCANNER_BUSY = "scanner_busy"
    SCANNER_IO = "scanner_io"
    ACCESS_DENIED = "access_denied"
    SCANNER_NOT_RESPONDING = "scanner_not_responding"
    SCANNER_FAILED = "scanner_failed"
    # Hot folder
    FOLDER_MISSING = "folder_missing"
    FOLDER_UNREADABLE = "folder_unreadable"
    FILE_UNREADABLE = "file_unreadable"
    FILE_TOO_LARGE = "file_too_large"
    MOVE_FAILED = "move_failed"
    # Camera
    CAMERA_NOT_FOUND = "camera_not_found"
    CAMERA_LOST = "camera_lost"
    CAMERA_BLURRED = "camera_blurred"
    # Any source: a bug, reported instead of a silent dead thread
    INTERNAL = "internal"


MESSAGES: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.SCANIMAGE_MISSING: (
        "未安装扫描程序 scanimage（sane-utils），无法使用扫描仪",
        "scanimage (sane-utils) is not installed: the scanner cannot be used",
    ),
    ErrorCode.SCANNER_NOT_FOUND: (
        "找不到扫描仪：请检查电源、数据线和设备名称",
        "scanner not found: check its power, cable and device name",
    ),
    ErrorCode.NO_PAPER: (
        "进纸器中没有选票：请放入选票后再开始",
        "no paper in the feeder: load ballots and start again",
    ),
    ErrorCode.JAMMED: (
        "扫描仪卡纸：请清除卡纸，并把卡住的那张选票重新放入",
        "the scanner jammed: clear the jam and re-feed the ballot that jammed",
    ),
    ErrorCode.COVER_OPEN: ("扫描仪盖板未关：请关好后再开始", "the scanner's cover is open: close it and start again"),
    ErrorCode.SCANNER_BUSY: (
        "扫描仪正被其他程序使用",
        "the scanner is busy (another program is using it)",
    ),
    ErrorCode.SCANNER_IO: ("扫描仪通信错误：请检查数据线", "scanner I/O error: check the cable"),
    ErrorCode.ACCESS_DENIED: (
        "没有使用扫描仪的权限（请把运行计票站的用户加入 scanner 组）",
        "no permission to use the scanner (add the station's user to the scanner group)",
    ),
    ErrorCode.SCANNER_NOT_RESPONDING: (
        "扫描仪长时间无响应，已停止本批扫描",
        "the scanner stopped responding; the batch was stopped",
    ),
    ErrorCode.SCANNER_FAILED: ("扫描失败", "scanning failed"),
    ErrorCode.FOLDER_MISSING: ("找不到监视文件夹", "the watched folder does not exist"),
    ErrorCode.FOLDER_UNREADABLE: ("无法读取监视文件夹", "the watched folder cannot be read"),
    ErrorCode.FILE_UNREADABLE: ("无法读取文件", "a file cannot be read"),
    ErrorCode.FILE_TOO_LARGE: ("文件过大，未接收", "a file is too large and was not taken"),
    ErrorCode.MOVE_FAILED: (
        "文件已接收，但无法移入“已处理”文件夹",
        "a file was taken but could not be moved into the done folder",
    ),
    ErrorCode.CAMERA_NOT_FOUND: (
        "找不到摄像头：请检查连接和设备编号",
        "camera not found: check its cable and device number",
    ),
    ErrorCode.CAMERA_LOST: ("摄像头断开或停止出图", "the camera disconnected or stopped sending frames"),
    ErrorCode.CAMERA_BLURRED: (
        "选票已放稳，但图像不够清晰：请检查对焦和光线",
        "the ballot is still but the image is not sharp: check the focus and the light",
    ),
    ErrorCode.INTERNAL: ("图像来源内部错误", "internal error in the image source"),
}


@dataclass(frozen=True)
class Captured:
    capture: Capture
    type: Literal["captured"] = "captured"


@dataclass(frozen=True)
class SourceError:
    code: ErrorCode
    zh: str
    en: str
    detail: str = ""  # what the device or OS said, verbatim, for the log
    fatal: bool = False  # the source has stopped because of it
    type: Literal["error"] = "error"

    @classmethod
    def of(
        cls, code: ErrorCode, detail: str = "", *, fatal: bool = False, what: str = "", note: tuple[str, str] = ("", "")
    ) -> SourceError:
        """The standard message for `code`, with `what` (a file, a device) and a `note` (zh, en) appended."""
        zh, en = MESSAGES[code]
        if what:
            zh, en = f"{zh}：{what}", f"{en}: {what}"
        return cls(code, zh + note[0], en + note[1], detail, fatal)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None  # None when the batch size is unknown (a feeder runs until empty)
    zh: str
    en: str
    type: Literal["progress"] = "progress"


class SkipReason(StrEnum):
    ALREADY_TAKEN = "already_taken"  # the same bytes were received before
    NOT_AN_IMAGE_NAME = "not_an_image_name"


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: SkipReason
    zh: str
    en: str
    sha256: str | None = None
    type: Literal["skipped"] = "skipped"


class WatchState(StrEnum):
    WAITING = "waiting"  # no ballot in view
    SETTLING = "settling"  # a ballot is in view, waiting for it to be still and sharp
    CAPTURED = "captured"  # this ballot is taken; remove it (or replace it) for the next


WATCH_MESSAGES: dict[WatchState, tuple[str, str]] = {
    WatchState.WAITING: ("请放入下一张选票", "place the next ballot"),
    WatchState.SETTLING: ("已看到选票，请保持不动", "ballot seen: hold it still"),
    WatchState.CAPTURED: ("已拍摄，请取走选票", "captured: remove the ballot"),
}


@dataclass(frozen=True)
class CameraStatus:
    state: WatchState
    zh: str
    en: str
    type: Literal["camera_status"] = "camera_status"

    @classmethod
    def of(cls, state: WatchState) -> CameraStatus:
        return cls(state, *WATCH_MESSAGES[state])


class FinishReason(StrEnum):
    DONE = "done"  # the batch or video ended by itself
    STOPPED = "stopped"  # stop was asked for
    FAILED = "failed"  # a fatal error (reported just before)


@dataclass(frozen=True)
class Finished:
    reason: FinishReason
    captured: int
    zh: str
    en: str
    type: Literal["finished"] = "finished"

    @classmethod
    def of(cls, reason: FinishReason, captured: int) -> Finished:
        zh = {FinishReason.DONE: "已结束", FinishReason.STOPPED: "已停止", FinishReason.FAILED: "因错误停止"}[reason]
        en = {FinishReason.DONE: "finished", FinishReason.STOPPED: "stopped", FinishReason.FAILED: "stopped on error"}[
            reason
        ]
        return cls(reason, captured, f"{zh}，共接收 {captured} 张图像", f"{en}; {captured} images taken")


SourceEvent = Captured | SourceError | Progress | Skipped | CameraStatus | Finished


def failed(
    code: ErrorCode, captured: int, detail: str = "", what: str = "", note: tuple[str, str] = ("", "")
) -> tuple[SourceError, Finished]:
    """The last two events of a source that cannot go on."""
    return SourceError.of(code, detail, fatal=True, what=what, note=note), Finished.of(FinishReason.FAILED, captured)
