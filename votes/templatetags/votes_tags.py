from django import template

register = template.Library()

BAR_HEIGHT = 28
LABEL_WIDTH = 150
BAR_WIDTH = 300


@register.inclusion_tag("votes/chart.html")
def result_chart(result, title):
    """A horizontal bar chart of a result, drawn on the server as SVG (no script)."""
    top = max((count.votes for count in result.counts), default=0) or 1
    bars = [
        {
            "label": count.label,
            "votes": count.votes,
            "share": count.share,
            "y": index * (BAR_HEIGHT + 8),
            "width": round(BAR_WIDTH * count.votes / top, 1),
            "text_x": LABEL_WIDTH + round(BAR_WIDTH * count.votes / top, 1) + 6,
        }
        for index, count in enumerate(result.counts)
    ]
    return {
        "bars": bars,
        "title": title,
        "height": len(bars) * (BAR_HEIGHT + 8),
        "width": LABEL_WIDTH + BAR_WIDTH + 90,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
