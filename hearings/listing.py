"""The rows of the lists of meetings (/briefings/, /hearings/), read as values, not pages.

A page of a multi-table page type costs several times more to read and build than the few
values a list shows, and asking each page in the template for its URL, its state and its
formatted time cost the lists most of their time. ``MeetingRows`` reads the values and works
each row out once; the template only prints it (``templatetags/meeting_tags.py``).
"""

import dataclasses

from django.utils import timezone
from django.utils.formats import date_format

from core.pages import page_url
from core.paging import slice_page


@dataclasses.dataclass(frozen=True, slots=True)
class MeetingRow:
    """One meeting as a list shows it, ready to print in the reader's language."""

    title: str
    url: str | None
    venue: str
    # When it starts, in the site's time zone, in ISO 8601: the <time> element's datetime.
    datetime: str
    # The same moment as the reader reads it (``DATETIME_FORMAT`` of their language).
    when: str
    # The state shown beside the title (its value and its label), or "".
    state: str
    state_label: str
    category: str
    # The moments what the list shows of it changes by itself (``Meeting.changes``).
    changes: tuple


class MeetingRows:
    """The meetings of a ``MeetingIndexMixin`` page (the queryset ``meetings``), as pages of
    rows: those coming up, the soonest first, and those past, the latest first."""

    def __init__(self, index, meetings, request, now):
        self.model = index.meeting_model
        self.per_page = index.per_page
        self.now = now
        # Both lists read the same fields: chosen once, as choosing them costs each query.
        self.listed = meetings.values(*self.model.listing_fields)
        self.request = request
        # The rows repeat a few states and categories: each label is translated once, as
        # translating costs a row more than anything but formatting its time.
        self.labels = {}

    def upcoming(self, number):
        """Page ``number`` (any text, see ``slice_page``) of the meetings coming up."""
        return self.page(self.listed.upcoming(self.now), number)

    def past(self, number):
        """Page ``number`` (any text, see ``slice_page``) of the meetings past."""
        return self.page(self.listed.past(self.now), number)

    def page(self, listed, number):
        """Page ``number`` of ``listed`` (the values of meetings, in order), as rows."""
        page = slice_page(listed, number, self.per_page)
        return dataclasses.replace(page, object_list=[self.row(values) for values in page])

    def changes(self, upcoming):
        """The moments the page changes by itself, given its page of meetings coming up: those
        of each meeting shown (``Meeting.changes``) and, past the first page, those of the
        soonest, as the list shifts when it starts."""
        moments = [moment for row in upcoming for moment in row.changes]
        if upcoming.number > 1:
            soonest = self.listed.upcoming(self.now).values_list(*self.model.change_fields)
            moments += [moment for found in soonest[:1] for moment in found]
        return moments

    def row(self, values):
        """The row of a meeting, from its ``listing_fields`` values."""
        starts_at = timezone.localtime(values["starts_at"])
        state = self.model.listing_state(values, self.now)
        return MeetingRow(
            title=values["title"],
            url=page_url(values["url_path"], self.request),
            venue=values["venue"],
            datetime=starts_at.isoformat(),
            when=date_format(starts_at, "DATETIME_FORMAT"),
            state=state or "",
            state_label=self.label(state),
            category=self.label(self.model.listing_category(values)),
            changes=tuple(values[name] for name in self.model.change_fields),
        )

    def label(self, choice):
        """The label of ``choice`` (a member of a model's choices, or ``None``) in the
        reader's language, as text: a lazy translation would be translated again each time
        it is escaped and printed."""
        if choice is None:
            return ""
        key = (type(choice), choice)  # two types of choices may share a value
        if key not in self.labels:
            # A value no longer among the choices shows as stored.
            self.labels[key] = str(getattr(choice, "label", choice))
        return self.labels[key]


def filter_options(choices, chosen):
    """The options of a filter, ready to print: (value, label as text, whether chosen) for
    each of ``choices`` (value, label). Printed by the template, each comparison and lazy
    label cost more than the option itself."""
    return [(value, str(label), value == chosen) for value, label in choices]
