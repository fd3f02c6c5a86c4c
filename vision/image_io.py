"""Decode an input file into page images. The thin I/O edge of vision: bytes in, arrays out.

Accepted: PNG, JPEG, TIFF (multi-page), BMP, WebP, and PDF (each page rendered at
PDF_DPI). Refused with a clear reason: not an image, truncated or corrupt, and
decompression bombs (a small file that claims a huge picture), checked from the header
before any pixel is decoded.
"""

from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image, ImageSequence

from station.errors import StationError

MAX_PIXELS = 60_000_000  # an A3 page at 600 dpi is 70 MP; a ballot needs far less
MAX_PAGES = 500
PDF_DPI = 200


class ImageInputError(StationError):
    """The file cannot be turned into page images."""


def _pdf_pages(data: bytes) -> list[np.ndarray]:
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        raise ImageInputError(f"PDF 文件损坏，无法打开：{err}", f"the PDF cannot be opened: {err}") from None
    try:
        pages = []
        for i in range(min(len(doc), MAX_PAGES)):
            page = doc[i]
            w, h = page.get_size()
            if (w * PDF_DPI / 72) * (h * PDF_DPI / 72) > MAX_PIXELS:
                raise ImageInputError("PDF 页面过大", "a PDF page is too large to be a ballot")
            arr = page.render(scale=PDF_DPI / 72.0, grayscale=True).to_numpy()
            pages.append((arr[:, :, 0] if arr.ndim == 3 else arr).copy())
        return pages
    finally:
        doc.close()


def _to_array(frame: Image.Image) -> np.ndarray:
    if frame.mode in ("1", "L", "I;16", "I", "F"):
        arr = np.asarray(frame.convert("L"))
        return arr.copy()
    rgb = np.asarray(frame.convert("RGB"))
    return rgb[:, :, ::-1].copy()  # BGR, as OpenCV expects


def _complete(data: bytes, fmt: str | None) -> bool:
    """Does a single-image PNG or JPEG file end where its format says it ends? (A scanner
    file cut short in transfer must not be decoded into a partly grey page.)"""
    if fmt == "PNG":
        return data[-12:-4] == b"\x00\x00\x00\x00IEND"
    if fmt == "JPEG":
        return data.rstrip(b"\x00")[-2:] == b"\xff\xd9"
    return False


def load_pages(data: bytes) -> list[np.ndarray]:
    """Every page of the file as a grey (H×W) or BGR (H×W×3) uint8 array."""
    if not data:
        raise ImageInputError("文件为空", "the file is empty")
    if data[:5] == b"%PDF-":
        return _pdf_pages(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageInputError(
                    f"图像尺寸过大（{w}×{h}），拒绝解码", f"the image claims {w}×{h} pixels: refused (too large)"
                )
            if _complete(data, img.format) and img.mode in ("L", "RGB", "RGBA", "P"):
                # The common scanner files: OpenCV decodes them faster than PIL, to the same pixels.
                arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_ANYCOLOR)
                if arr is not None and arr.shape[:2] == (h, w):
                    return [arr]
            pages = []
            for frame in ImageSequence.Iterator(img):
                if len(pages) >= MAX_PAGES:
                    break
                frame.load()
                pages.append(_to_array(frame))
            return pages
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError("图像尺寸过大，拒绝解码", "the image is too large: refused") from None
    except Image.UnidentifiedImageError:
        raise ImageInputError("不是可识别的图像文件", "not an image file this station can read") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageInputError(
            f"图像文件损坏或不完整：{err}", f"the image file is corrupt or truncated: {err}"
        ) from None


def encode_png(image: np.ndarray) -> bytes:
    """Lossless PNG of a grey or BGR array: a camera frame is stored as the pixels seen, no JPEG loss."""
    ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise ImageInputError("无法编码图像", "the image cannot be encoded as PNG")
    return buf.tobytes()
