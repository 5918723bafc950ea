"""Inline SVG bar charts with a title and description, for pages that need no script or asset."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 56
# Colour-blind-safe pairs (Okabe-Ito), dark enough for 3:1 contrast on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")


@dataclass(frozen=True)
class Chart:
    """Grouped bars: one group per category, one bar per series; None draws no bar."""

    chart_id: str
    title: str
    description: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    value_label: str = "{:g}"
    maximum: float | None = None


def bar_chart(chart: Chart) -> str:
    """An accessible SVG: role img, labelled by its title and described by its description."""
    top = chart.maximum or max((v for _, vs in chart.series for v in vs if v), default=0) or 1
    body = [
        *_axis(top, chart.value_label),
        *_bars(chart, top),
        *_category_labels(chart.categories),
        *_legend(chart.series),
    ]
    cid = escape(chart.chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" id="{cid}" '
        f'aria-labelledby="{cid}-title {cid}-desc">'
        f'<title id="{cid}-title">{escape(chart.title)}</title>'
        f'<desc id="{cid}-desc">{escape(chart.description)}</desc>' + "".join(body) + "</svg>"
    )


def _plot_height() -> int:
    return HEIGHT - TOP - BOTTOM


def _axis(top: float, label: str) -> list[str]:
    base = TOP + _plot_height()
    return [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#333"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="11">'
        f"{escape(label.format(top))}</text>",
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="11">0</text>',
    ]


def _slot(chart: Chart) -> float:
    return (WIDTH - LEFT - RIGHT) / max(1, len(chart.categories))


def _bars(chart: Chart, top: float) -> list[str]:
    slot, shapes = _slot(chart), []
    bar = slot * 0.8 / max(1, len(chart.series))
    for c in range(len(chart.categories)):
        for s, (name, values) in enumerate(chart.series):
            value = values[c]
            if value is None:
                continue
            height = _plot_height() * value / top
            x = LEFT + c * slot + slot * 0.1 + s * bar
            y = TOP + _plot_height() - height
            text = escape(f"{name}: {chart.value_label.format(value)}")
            shapes.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{text}</title></rect>'
            )
    return shapes


def _category_labels(categories: list[str]) -> list[str]:
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    y = TOP + _plot_height() + 16
    return [
        f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{y}" text-anchor="middle" font-size="11">'
        f"{escape(label)}</text>"
        for i, label in enumerate(categories)
    ]


def _legend(series: list[tuple[str, list[float | None]]]) -> list[str]:
    y, items = HEIGHT - 14, []
    for s, (name, _) in enumerate(series):
        x, colour = LEFT + s * 150, PALETTE[s % len(PALETTE)]
        items.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y}" font-size="12">{escape(name)}</text>'
        )
    return items
