"""Bar charts drawn on the server as inline SVG: no script, no style attribute (the pages'
content security policy allows neither; colours and type are SVG attributes), as wide as the
column it sits in, and a text alternative: the chart's ``<title>`` and
``<desc>`` say what it shows and every figure, and the page shows the same figures in a
table beside it."""

from markupsafe import Markup, escape

WIDTH = 640
ROW = 46  # each bar: its label above, the bar below
BAR = 20
TOP = 8
COUNT_ROOM = 60  # room right of the longest bar for its count


def bar_chart(chart_id: str, title: str, description: str, bars: list[tuple[str, int]]) -> Markup:
    """A horizontal bar for each (label, count), the longest bar the largest count."""
    largest = max((count for _, count in bars), default=0)
    room = WIDTH - COUNT_ROOM
    height = TOP + ROW * len(bars) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" id="{chart_id}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="arial, sans-serif" font-size="16" fill="#0b0c0c">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, count) in enumerate(bars):
        y = TOP + ROW * index
        length = round(room * count / largest) if largest else 0
        parts.append(
            f'<g aria-hidden="true">'
            f'<text x="0" y="{y + 14}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 20}" width="{max(length, 2)}" height="{BAR}" '
            f'fill="#1d70b8"/>'
            f'<text x="{max(length, 2) + 8}" y="{y + 35}" font-weight="bold">{count}</text>'
            f"</g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
