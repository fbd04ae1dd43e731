"""Small charts drawn on the server as SVG: no script, no styles, only shapes and text.

On the pages each chart is a standalone SVG document served from its own URL and shown
with ``<img>`` (the page's CSP allows images from the site itself); the one-page summary
puts the same SVG inline in its PDF. Colours and fonts are
presentation attributes, not ``style``, so a strict CSP applies cleanly. The numbers
behind every chart are also given as a table on the page, for people who cannot see it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import escape

WIDTH = 400
HEIGHT = 220
LEFT = 36
RIGHT = 12
TOP = 14
BOTTOM = 44
INK = "#111111"
GRID = "#c8c8c8"
BAR = "#0a4a99"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text or "0"


def nice_max(value: float, *, whole: bool = False) -> float:
    """A round top for the y axis at or above ``value`` (at least 1). For counts
    (``whole``) it is even, so the middle grid line is a whole number too."""
    if whole:
        return float(max(2, math.ceil(nice_max(value) / 2) * 2))
    if value <= 1:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def _frame(title: str, description: str, y_max: float, y_label: str) -> list[str]:
    """The chart's start: title, description, background, y axis and its grid lines."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{FONT}" font-size="13">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + PLOT_H * (1 - fraction)
        value = y_max * fraction
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="{INK if fraction == 0 else GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{escape(_number(value))}</text>"
        )
    parts.append(
        f'<text x="{LEFT}" y="{HEIGHT - 4}" fill="{INK}" font-size="12">{escape(y_label)}</text>'
    )
    return parts


def _slot(count: int) -> float:
    """How wide each of ``count`` values' places along the x axis is."""
    return PLOT_W / max(count, 1)


def _centres(count: int) -> list[float]:
    """Where the middle of each of ``count`` values' places is along the x axis."""
    return [LEFT + _slot(count) * (i + 0.5) for i in range(count)]


def _x_labels(labels: Sequence[str], centres: Sequence[float], every: int) -> list[str]:
    """Every ``every``-th label under its value (the first one always)."""
    y = HEIGHT - BOTTOM + 16
    return [
        f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{INK}" font-size="12">'
        f"{escape(label)}</text>"
        for i, (label, x) in enumerate(zip(labels, centres, strict=True))
        if i % every == 0
    ]


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    y_label: str = "",
    label_every: int = 1,
) -> str:
    """Vertical bars, one per label (for counts: the axis shows whole numbers)."""
    y_max = nice_max(max(values, default=0), whole=True)
    width = max(_slot(len(values)) * 0.7, 1.0)
    parts = _frame(title, description, y_max, y_label)
    centres = _centres(len(values))
    for centre, value in zip(centres, values, strict=True):
        height = PLOT_H * (value / y_max)
        if value > 0:
            parts.append(
                f'<rect x="{centre - width / 2:.1f}" y="{TOP + PLOT_H - height:.1f}" '
                f'width="{width:.1f}" height="{height:.1f}" fill="{BAR}"/>'
            )
    parts += _x_labels(labels, centres, max(label_every, 1))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    y_max: float = 10,
    y_label: str = "",
    label_every: int = 1,
) -> str:
    """A line through the known values (a gap where a value is missing), with dots."""
    parts = _frame(title, description, y_max, y_label)
    centres = _centres(len(values))
    runs: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(centres, values, strict=True):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        y = TOP + PLOT_H * (1 - min(max(value, 0), y_max) / y_max)
        runs[-1].append((x, y))
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{BAR}" stroke-width="3"/>'
            )
        for x, y in run:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{BAR}"/>')
    parts += _x_labels(labels, centres, max(label_every, 1))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
