"""QR codes drawn here (``segno``, SVG inline): nothing is sent to a QR service."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, scale: int = 4, title: str | None = None) -> Markup:
    """An inline ``<svg>`` of ``text`` as a QR code (medium error correction)."""
    code = segno.make(text, error="m")
    return Markup(code.svg_inline(scale=scale, title=title, dark="#000", light="#fff"))  # noqa: S704 (segno's own SVG)
