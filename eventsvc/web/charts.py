"""Bar charts drawn on the server as SVG: geometry here, markup in templates/admin/_chart.html.

No script draws them, and each chart's page shows the same figures in a table.
"""

import math
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 240
LEFT = 40  # room for the scale's numbers
BOTTOM = 28  # room for the first and last days
TOP = 12


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands, and what it says on hover."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    """A line of the scale, with its number."""

    y: float
    value: int


@dataclass(frozen=True)
class BarChart:
    """A chart of counts: its bars, its scale, and the labels under the first and last bar."""

    bars: list[Bar]
    ticks: list[Tick]
    first_label: str
    last_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM


def _step(highest: int) -> int:
    """A round step for about four lines of scale: 1, 2, 5, 10, 20, 50 …"""
    rough = max(highest / 4, 1)
    power = 10 ** math.floor(math.log10(rough))
    return next(n * power for n in (1, 2, 5, 10) if n * power >= rough)


def bar_chart(points: list[tuple[str, int]]) -> BarChart | None:
    """A bar for each (label, count), scaled to the highest; None when there is nothing."""
    if not points:
        return None
    step = _step(max(value for _label, value in points))
    top = step * math.ceil(max(max(v for _l, v in points), 1) / step)
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(points)
    gap = min(slot * 0.2, 4)

    def y_of(value: int) -> float:
        return HEIGHT - BOTTOM - plot_height * value / top

    bars = [
        Bar(
            round(LEFT + i * slot + gap / 2, 2),
            round(y_of(value), 2),
            round(slot - gap, 2),
            round(plot_height * value / top, 2),
            label,
            value,
        )
        for i, (label, value) in enumerate(points)
    ]
    ticks = [Tick(round(y_of(v), 2), v) for v in range(0, top + 1, step)]
    return BarChart(bars, ticks, points[0][0], points[-1][0])
