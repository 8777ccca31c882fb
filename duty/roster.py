"""The public roster's tables, read as plain values and formatted once, here.

A month's table has a row a day, and each row showed a date three ways and two times through
template filters, and a name through a person object: most of the page's cost. Here each row
is read as the values it shows (the names with the shift, in the same query) and formatted
in Python, exactly as the filters would format it; the template only prints.
"""

from dataclasses import dataclass

from django.utils import dateformat
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import get_format

from .models import DutyShift, Roster, RosterState

# What a row shows of its shift, in the order ``values_list`` reads it.
SHIFT_FIELDS = (
    "roster_id",
    "date",
    "starts",
    "ends",
    "person__name",
    "reassigned_from__name",
    "place",
)


@dataclass(frozen=True, slots=True)
class ShiftRow:
    """A shift as the roster shows it, every value ready to print."""

    is_today: bool
    iso_date: str
    date: str
    weekday: str
    hours: str
    person: str
    reassigned_from: str | None
    place: str


@dataclass(frozen=True, slots=True)
class RosterTable:
    """A published month: its roster's key, its month as the heading shows it, its rows."""

    pk: int
    month: str
    shifts: list[ShiftRow]


class _Formats:
    """The reader's date formats and weekday names, looked up once for all the rows (the
    ``date`` filter looks them up for every value)."""

    def __init__(self):
        self.date = get_format("DATE_FORMAT")
        self.year_month = get_format("YEAR_MONTH_FORMAT")
        # What the "D" format gives, by ``date.weekday()``.
        self.weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]


def shift_row(values, today, formats):
    """The ``ShiftRow`` of a shift's ``SHIFT_FIELDS`` values (without its roster's key).

    The same text as ``|date:'Y-m-d'``, ``|date:"DATE_FORMAT"``, ``|date:"D"`` and
    ``|time:"H:i"`` give.
    """
    day, starts, ends, person, reassigned_from, place = values
    return ShiftRow(
        is_today=day == today,
        iso_date=day.isoformat(),
        date=dateformat.format(day, formats.date),
        weekday=formats.weekdays[day.weekday()],
        hours=f"{starts:%H:%M}–{ends:%H:%M}",
        person=person,
        reassigned_from=reassigned_from,
        place=place,
    )


def published_tables(months, today):
    """The published rosters of ``months``, in order, as ``RosterTable``s: two queries (the
    rosters, then their shifts in the roster's order: by date and start), one if none is
    published."""
    rosters = list(
        Roster.objects.filter(month__in=months, state=RosterState.PUBLISHED)
        .order_by("month")
        .values_list("pk", "month")
    )
    if not rosters:
        return []
    shifts = DutyShift.objects.filter(roster__in=[pk for pk, _month in rosters]).values_list(
        *SHIFT_FIELDS
    )
    formats = _Formats()
    rows = {pk: [] for pk, _month in rosters}
    for roster, *values in shifts:
        rows[roster].append(shift_row(values, today, formats))
    return [
        RosterTable(pk, dateformat.format(month, formats.year_month), rows[pk])
        for pk, month in rosters
    ]
