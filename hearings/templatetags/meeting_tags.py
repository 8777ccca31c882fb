"""The lists of meetings of /briefings/ and /hearings/, rendered in Python.

A list shows up to ten meetings, and the page two lists. Rendered by the template, each
meeting cost the page a tenth of a millisecond of variable lookups, filters and escaping, more
than all the rest of the page's own template; ``format_html`` escapes the same values in a
fraction of that.
"""

import functools

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

# One meeting of a list (``hearings.listing.MeetingRow``).
MEETING = (
    '<li class="meeting">'
    '<p class="meeting__when"><time datetime="{}">{}</time> · {}</p>'
    '<h3 class="meeting__title"><a href="{}">{}</a></h3>'
    "{}"
    "</li>"
)


@register.simple_tag
def meeting_list(meetings):
    """The list of ``meetings`` (``MeetingRow``): when and where, the title with its link,
    and the state and category where the meeting type has them."""
    # A list repeats a few states and categories: each is rendered once.
    state = functools.cache(_state)
    items = format_html_join("", MEETING, (_meeting(meeting, state) for meeting in meetings))
    return format_html('<ul class="meeting-list">{}</ul>', items)


def _meeting(meeting, state):
    """The values ``MEETING`` prints, in its order."""
    return (
        meeting.datetime,
        meeting.when,
        meeting.venue,
        meeting.url,
        meeting.title,
        state(meeting.state, meeting.state_label, meeting.category),
    )


def _state(state, label, category):
    if not state:
        return ""
    return format_html(
        '<p><span class="state state--{}">{}</span>{}</p>',
        state,
        label,
        format_html(" · {}", category) if category else "",
    )
