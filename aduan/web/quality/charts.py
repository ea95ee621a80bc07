"""Server-side SVG charts for the quality pages: a line per month, no script, no styles
(presentation attributes only, which the strict CSP allows); the data table sits beside."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 220, 40


def line_chart(labels: list[str], values: list[float | None], low: float, high: float,
               title: str, colour: str = "#0b5cad") -> Markup:  # fmt: skip
    """A line chart of ``values`` (None: a gap) between ``low`` and ``high``."""
    n = max(len(labels), 1)
    step = (WIDTH - 2 * PAD) / max(n - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']  # fmt: skip
    for tick in (low, (low + high) / 2, high):
        parts.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#ddd"/><text x="{PAD - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{tick:g}</text>')  # fmt: skip
    segment: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + index * step
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" font-size="10" '
                     f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
        if value is None:
            parts.append(_polyline(segment, colour))
            segment = []
            continue
        segment.append(f"{x:.1f},{y(value):.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}" '
                     f'data-value="{value:g}"/>')  # fmt: skip
    parts.append(_polyline(segment, colour))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above is escaped)


def _polyline(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>'
