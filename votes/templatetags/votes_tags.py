from django import template

from votes.models import OptionMeaning

register = template.Library()

# Bar colours, each at least 3:1 against the page and the track (WCAG 1.4.11, graphics);
# the numbers beside the bars are text in the page's ink. By meaning where an option has one,
# otherwise (an election's candidates) in turn.
MEANING_COLOURS = {
    OptionMeaning.FOR: "#1d5e2d",
    OptionMeaning.SATISFIED: "#1d5e2d",
    OptionMeaning.BASICALLY_SATISFIED: "#1a5fb4",
    OptionMeaning.AGAINST: "#a4161a",
    OptionMeaning.DISSATISFIED: "#a4161a",
    OptionMeaning.ABSTAIN: "#5c5c5c",
}
PALETTE = ["#1a5fb4", "#8b1a1a", "#1d5e2d", "#6b4e00", "#5b2a86", "#5c5c5c"]


@register.inclusion_tag("votes/chart.html")
def result_chart(result, title):
    """A horizontal bar chart of a result, drawn on the server (no script): each bar an SVG
    stretched to the width it is given, its length the option's share of the votes cast, so
    the chart fits any screen and prints as it shows."""
    bars = [
        {
            "label": count.label,
            "votes": count.votes,
            "percent": round(count.share * 100, 1),
            "colour": MEANING_COLOURS.get(count.meaning, PALETTE[index % len(PALETTE)]),
        }
        for index, count in enumerate(result.counts)
    ]
    return {"bars": bars, "title": title}
