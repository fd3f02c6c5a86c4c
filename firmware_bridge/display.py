"""What the box's two displays can show, as bytes (pure).

The LCD (ST7920) has a GB2312 font in ROM: a line is 16 bytes, where a Chinese character takes
two bytes and must start at an even column, and printable ASCII takes one. The counter (TM1637)
takes one segment byte per digit.
"""

from __future__ import annotations

from firmware_bridge.errors import BoxError
from firmware_bridge.protocol import DIGITS, LCD_LINE_BYTES, LCD_LINES

SEGMENTS = {0x3F: "0", 0x06: "1", 0x5B: "2", 0x4F: "3", 0x66: "4", 0x6D: "5", 0x7D: "6", 0x07: "7", 0x7F: "8",
            0x6F: "9", 0x40: "-", 0x00: " "}


def layout_line(text: str) -> bytes:
    """Lay a line out for the ST7920: GB2312, wide characters on even columns, padded to 16 bytes."""
    out = bytearray()
    for ch in text:
        if " " <= ch <= "~":
            out.append(ord(ch))
            continue
        try:
            code = ch.encode("gb2312")
        except UnicodeEncodeError:
            raise BoxError(f"显示屏字库没有「{ch}」这个字（GB2312 以外）",
                           f"the display's font has no {ch!r} (outside GB2312)") from None
        if len(code) != 2:
            raise BoxError(f"「{ch}」不能显示", f"{ch!r} cannot be shown")
        if len(out) % 2:
            out.append(ord(" "))  # the chip draws a wide character only from an even column
        out += code
    if len(out) > LCD_LINE_BYTES:
        raise BoxError(f"「{text}」太长：一行最多 8 个汉字或 16 个字母数字",
                       f"{text!r} is too long: a line holds 8 Chinese characters or 16 ASCII")
    return bytes(out.ljust(LCD_LINE_BYTES, b" "))


def line_text(raw: bytes) -> str:
    """The text an LCD line shows (trailing spaces dropped)."""
    return raw.decode("gb2312", errors="replace").rstrip(" ")


def check_line_index(line: int) -> None:
    if not 0 <= line < LCD_LINES:
        raise BoxError(f"显示屏只有第 0–{LCD_LINES - 1} 行", f"the display has lines 0–{LCD_LINES - 1} only")


def counter_text(segments: bytes) -> str:
    """What the 7-segment counter reads, e.g. '  42'; '?' for a pattern that is no digit."""
    return "".join(SEGMENTS.get(s & 0x7F, "?") for s in segments[:DIGITS])


def counter_segments(n: int) -> bytes:
    """The segment bytes the firmware sends for n: right-aligned, no leading zeros, '----' over 9999."""
    if n > 9999:
        return bytes([0x40] * DIGITS)
    by_digit = {v: k for k, v in SEGMENTS.items()}
    return bytes(by_digit[c] for c in f"{n:>{DIGITS}}")
