"""Charts drawn on the server as SVG (no script, no CDN): horizontal bars for a breakdown,
grouped columns for a series and a line per month for a measure on a fixed scale (the
reports dashboard and the service-quality page share them). Each chart is an image with a
title; the page puts its data table beside it for screen readers.
Labels come in already translated."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 190
WIDTH = 560
COLOURS = ("#1f5f8b", "#c0392b", "#2e7d32", "#8e44ad", "#b9770e")


def bars(title: str, items: list[tuple[str, float]], *, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), longest first as given."""
    top = max((value for _, value in items), default=0) or 1
    height = BAR_HEIGHT * max(len(items), 1) + 10
    room = WIDTH - LABEL_WIDTH - 60
    parts = [_open(title, WIDTH, height)]
    for row, (label, value) in enumerate(items):
        y = 5 + row * BAR_HEIGHT
        length = max(room * value / top, 1 if value else 0)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{BAR_HEIGHT - 6}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}">{_number(value)}{unit}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above went through escape)


def columns(title: str, labels: list[str], series: dict[str, list[float]]) -> Markup:
    """Grouped columns: one group per label, one column per named series, with a legend."""
    count = max(len(labels), 1)
    top = max((v for values in series.values() for v in values), default=0) or 1
    height, base, left = 240, 200, 40
    group = (WIDTH - left - 10) / count
    width = max(group / (len(series) + 1), 1.5)
    parts = [_open(title, WIDTH, height)]
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#555"/>')
    parts.append(f'<text x="{left - 4}" y="20" text-anchor="end">{_number(top)}</text>')
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        for position, value in enumerate(values):
            h = (base - 20) * value / top
            x = left + position * group + index * width
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<rect x="{left + index * 130}" y="{height - 16}" width="10" height="10" '
            f'fill="{colour}"/><text x="{left + index * 130 + 14}" y="{height - 7}">'
            f"{escape(name)}</text>"
        )
    step = max(1, count // 8)
    for position in range(0, len(labels), step):
        x = left + position * group
        parts.append(f'<text x="{x:.1f}" y="{base + 14}">{escape(labels[position])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above went through escape)


def line(
    title: str,
    labels: list[str],
    values: list[float | None],
    low: float,
    high: float,
    *,
    colour: str = COLOURS[0],
) -> Markup:
    """A line of ``values`` (None: a gap) between ``low`` and ``high``, one point per label."""
    height, pad = 220, 40
    step = (WIDTH - 2 * pad) / max(len(labels) - 1, 1)

    def y(value: float) -> float:
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    parts = [_open(title, WIDTH, height)]
    for tick in (low, (low + high) / 2, high):
        parts.append(
            f'<line x1="{pad}" x2="{WIDTH - pad}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#ddd"/><text x="{pad - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    segment: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = pad + index * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - pad + 16}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if value is None:
            parts.append(_polyline(segment, colour))
            segment = []
            continue
        segment.append(f"{x:.1f},{y(value):.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}" '
            f'data-value="{value:g}"/>'
        )
    parts.append(_polyline(segment, colour))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above went through escape)


def _polyline(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>'


def _open(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" font-size="11" '
        f'font-family="sans-serif"><title>{escape(title)}</title>'
    )


def _short(label: str, most: int = 30) -> str:
    label = str(label)
    return label if len(label) <= most else label[: most - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
