"""A horizontal bar chart drawn on the server as SVG: no script, readable at 375 px, and
the page shows the same numbers as a table for screen readers and for copying."""

from __future__ import annotations

from markupsafe import Markup, escape

ROW_HEIGHT = 28
LABEL_WIDTH = 120
BAR_AREA = 200
VALUE_WIDTH = 50
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
BAR_COLOUR = "#256ef4"  # KRDS primary; an attribute, so no stylesheet can blank the bars


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, int]]) -> Markup:
    """`rows` as (label, count); the longest bar fills the bar area."""
    top = max((value for _label, value in rows), default=0) or 1
    height = ROW_HEIGHT * max(len(rows), 1) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bo-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{escape(chart_id)}-t">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        length = round(BAR_AREA * value / top) if value else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" class="bo-chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW_HEIGHT - 10}" '
            f'rx="2" fill="{BAR_COLOUR}" class="bo-chart-bar"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 18}" class="bo-chart-value">'
            f"{value:,}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
