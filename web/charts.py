"""Line charts as inline SVG, drawn on the server: no script, readable by screen readers.

Each chart carries a title and a description; the page puts the same numbers in a
table beside it, so the chart is a picture of a table, never the only place a number is.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
# Distinguishable for common colour blindness (Okabe-Ito), dark enough on white.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#555555")
HIGHLIGHT = "#f6c6c6"  # a pale red band behind the lines, marking e.g. spike days


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a name and a value per x label."""

    name: str
    values: tuple[int, ...]


def line_chart(
    chart_id: str,
    title: str,
    labels: list[str],
    series: list[Series],
    highlight: tuple[int, ...] = (),
    highlight_name: str = "",
) -> Markup:
    """An SVG with one polyline per series over the x `labels` (days), with a legend.

    `highlight` marks positions of `labels` (e.g. spike days) with a shaded band, named
    `highlight_name` in the description and the legend.
    """
    top = max([v for s in series for v in s.values] + [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_description(labels, series, highlight, highlight_name))}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#767676"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    if labels:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11">{escape(labels[0])}</text>')
        last = escape(labels[-1])
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" font-size="11">{last}</text>'
        )
    band = max(step, 6.0)
    for i in highlight:
        parts.append(
            f'<rect class="highlight" x="{x(i) - band / 2:.1f}" y="{TOP}" width="{band:.1f}" '
            f'height="{plot_h}" fill="{HIGHLIGHT}"/>'
        )
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
    parts.append("</svg>")
    swatch = '<span class="swatch" style="background:{}"></span>'
    legend = "".join(
        f"<li>{swatch.format(COLOURS[i % len(COLOURS)])}{escape(line.name)}</li>"
        for i, line in enumerate(series)
    )
    if highlight:
        legend += f"<li>{swatch.format(HIGHLIGHT)}{escape(highlight_name)}</li>"
    return Markup("".join(parts) + f'<ul class="legend" aria-hidden="true">{legend}</ul>')


def _description(
    labels: list[str], series: list[Series], highlight: tuple[int, ...] = (), highlight_name: str = ""
) -> str:
    if not labels:
        return "No data."
    totals = ", ".join(f"{s.name}: {sum(s.values)} in all" for s in series)
    marked = f" {highlight_name}: {', '.join(labels[i] for i in highlight)}." if highlight else ""
    return f"From {labels[0]} to {labels[-1]}. {totals}.{marked}"
