"""How long the browser tests wait, and for what: reading is real work on a busy 2-core machine."""

from __future__ import annotations

READ_MS = 60_000  # a batch read by the station's reading process, counted and pushed to the page


def image_shown(page, css: str) -> None:
    """Until the image at `css` has loaded (a picture the station drew, not a broken icon)."""
    page.wait_for_function(
        "(css) => { const i = document.querySelector(css); return i && i.complete && i.naturalWidth > 0; }",
        arg=css, timeout=READ_MS,
    )
