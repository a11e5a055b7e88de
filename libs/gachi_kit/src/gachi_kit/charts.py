"""Charts drawn as SVG text on the server: a line chart (cumulative achieved against a
target line, month by month) and a horizontal bar chart (one bar per category, with a
target mark). Plain functions taking figures and returning SVG, so a page and an export
draw the same picture; no script, no stylesheet needed (colours are attributes).

Every chart is `role="img"` with a `<title>` and a `<desc>` (the figures in words); the
page shows the same figures as a table beside it. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PRIMARY = "#256ef4"  # KRDS primary
TARGET = "#b32a18"  # a red that keeps 4.5:1 on white
GRID = "#d6d8dc"
INK = "#1e2124"
MUTED = "#58616a"
FONT = "Pretendard GOV, Pretendard, 'Noto Sans KR', sans-serif"


def short_won(amount: int | float | None) -> str:
    """An amount as people say it on a chart: 5,000원, 1,234만원, 43억원, 1.5억원."""
    if amount is None:
        return "-"
    value = int(amount)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 100_000_000:
        eok = value / 100_000_000
        text = f"{eok:,.1f}".rstrip("0").rstrip(".") if eok < 100 else f"{round(eok):,}"
        return f"{sign}{text}억원"
    if value >= 10_000:
        return f"{sign}{value // 10_000:,}만원"
    return f"{sign}{value:,}원"


@dataclass(frozen=True)
class Series:
    """One line of a line chart; `dashed` for a reference line such as the target."""

    name: str
    values: Sequence[int | None]
    colour: str = PRIMARY
    dashed: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    target: int | None = None


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    cid = escape(chart_id, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{escape(FONT, quote=True)}" '
        f'font-size="13" fill="{INK}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _nice_top(value: int) -> int:
    """A round ceiling for the axis (1, 2 or 5 × a power of ten)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 600,
    height: int = 280,
) -> str:
    """Lines over `labels` (months); a None value leaves a gap (months not yet come)."""
    left, right, top, bottom = 64, 16, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    ceiling = _nice_top(highest)
    step = plot_w / max(len(labels) - 1, 1)

    def x(index: int) -> float:
        return round(left + index * step, 1)

    def y(value: int) -> float:
        return round(top + plot_h - plot_h * value / ceiling, 1)

    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{label} {short_won(v)}"
            for label, v in zip(labels, s.values, strict=False)
            if v is not None
        )
        for s in series
    )
    parts = _open(chart_id, width, height, title, desc)
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        gy = round(top + plot_h - plot_h * fraction, 1)
        parts.append(
            f'<line x1="{left}" y1="{gy}" x2="{width - right}" y2="{gy}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{gy + 4}" text-anchor="end" fill="{MUTED}">'
            f"{escape(short_won(ceiling * fraction))}</text>"
        )
    for index, label in enumerate(labels):
        parts.append(
            f'<text x="{x(index)}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
    for s in series:
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        path = " ".join(f"{px},{py}" for px, py in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{escape(s.colour, quote=True)}" '
            f'stroke-width="2.5"{dash}/>'
        )
        if not s.dashed:
            parts += [
                f'<circle cx="{px}" cy="{py}" r="3" fill="{escape(s.colour, quote=True)}"/>'
                for px, py in points
            ]
    legend_y = height - 14
    for index, s in enumerate(series):
        lx = left + index * 180
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line x1="{lx}" y1="{legend_y - 4}" x2="{lx + 24}" y2="{legend_y - 4}" '
            f'stroke="{escape(s.colour, quote=True)}" stroke-width="2.5"{dash}/>'
            f'<text x="{lx + 30}" y="{legend_y}">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    width: int = 600,
    label_width: int = 190,
    row_height: int = 34,
    say: Callable[[int], str] = short_won,
    legend: str | None = "실적",
) -> str:
    """Horizontal bars (achieved), each with a red mark at its target when it has one.
    `say` writes a value (amounts by default; counts: `lambda n: f"{n:,}건"`); `legend`
    names the bars under the chart, None for no legend when no bar has a target."""
    value_width = 90
    area = width - label_width - value_width
    highest = max((max(b.value, b.target or 0) for b in bars), default=0) or 1
    with_legend = legend is not None or any(b.target for b in bars)
    height = row_height * max(len(bars), 1) + (28 if with_legend else 8)
    desc = "; ".join(
        f"{b.label} {say(b.value)}" + (f" (목표 {say(b.target)})" if b.target else "") for b in bars
    )
    parts = _open(chart_id, width, height, title, desc)
    for index, b in enumerate(bars):
        y = 4 + index * row_height
        length = round(area * b.value / highest, 1) if b.value > 0 else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 20}" text-anchor="end">'
            f"{escape(_clip(b.label, 13))}</text>"
            f'<rect x="{label_width}" y="{y + 6}" width="{length}" height="{row_height - 14}" '
            f'rx="2" fill="{PRIMARY}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 20}">{escape(say(b.value))}</text>'
        )
        if b.target:
            tx = round(label_width + area * b.target / highest, 1)
            parts.append(
                f'<line x1="{tx}" y1="{y + 2}" x2="{tx}" y2="{y + row_height - 4}" '
                f'stroke="{TARGET}" stroke-width="3"/>'
            )
    legend_y = height - 8
    if legend is not None:
        parts.append(
            f'<rect x="{label_width}" y="{legend_y - 10}" width="14" height="10" '
            f'fill="{PRIMARY}"/><text x="{label_width + 20}" y="{legend_y}">{escape(legend)}</text>'
        )
    if any(b.target for b in bars):
        parts.append(
            f'<line x1="{label_width + 80}" y1="{legend_y - 12}" x2="{label_width + 80}" '
            f'y2="{legend_y + 2}" stroke="{TARGET}" stroke-width="3"/>'
            f'<text x="{label_width + 88}" y="{legend_y}">목표</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, longest: int) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"
