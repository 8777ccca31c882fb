"""The public roster's tables, read as values (``duty.roster``): each row shows what the
template filters would show of the shift itself, in either language, today's row marked,
in the roster's order, in two queries."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.template.defaultfilters import date, time
from django.utils import timezone, translation

from core.transitions import perform
from duty.factories import DutyShiftFactory, RosterFactory
from duty.models import DutyShift
from duty.roster import published_tables
from people.factories import PersonFactory

from .conftest import ENGLISH

LANGUAGES = ["en", "zh-hans"]


def this_month():
    return timezone.localdate().replace(day=1)


def next_month():
    return (this_month() + datetime.timedelta(days=32)).replace(day=1)


def shift(roster, name, day, **fields):
    return DutyShiftFactory(
        roster=roster,
        person=PersonFactory(name=name, is_cadre=True),
        date=roster.month.replace(day=day),
        **fields,
    )


@pytest.fixture
def roster(db, cadre):
    """This month's published roster: three shifts added out of order, two on one day, one of
    them reassigned; and today's."""
    today = timezone.localdate()
    first, second = [day for day in range(1, 29) if day != today.day][:2]
    roster = RosterFactory(month=this_month())
    shift(roster, "张一", second)
    shift(roster, "李二", first, starts=datetime.time(19, 0), ends=datetime.time(21, 15))
    shift(
        roster,
        "王三",
        first,
        starts=datetime.time(8, 5),
        place="二号楼门岗",
        reassigned_from=PersonFactory(name="赵四", is_cadre=True),
    )
    shift(roster, "今天值班", today.day, starts=datetime.time(6, 0))
    perform(roster, "publish", cadre)
    return roster


def ordered_shifts(roster):
    return list(
        DutyShift.objects.filter(roster=roster)
        .select_related("person", "reassigned_from")
        .order_by("date", "starts")
    )


@pytest.mark.django_db
class TestRows:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_read_as_the_template_filters_give_them(self, roster, language):
        today = timezone.localdate()
        with translation.override(language):
            (table,) = published_tables([this_month(), next_month()], today)

            assert table.pk == roster.pk
            assert table.month == date(roster.month, "YEAR_MONTH_FORMAT")
            shifts = ordered_shifts(roster)
            assert len(table.shifts) == len(shifts)
            for row, shift in zip(table.shifts, shifts, strict=True):
                assert row.is_today == (shift.date == today)
                assert row.iso_date == date(shift.date, "Y-m-d")
                assert row.date == date(shift.date, "DATE_FORMAT")
                assert row.weekday == date(shift.date, "D")
                assert row.hours == f"{time(shift.starts, 'H:i')}–{time(shift.ends, 'H:i')}"
                assert row.person == shift.person.name
                assert row.reassigned_from == (
                    shift.reassigned_from.name if shift.reassigned_from else None
                )
                assert row.place == shift.place

    def test_in_the_rosters_order_by_day_and_start(self, roster):
        (table,) = published_tables([this_month()], timezone.localdate())

        names = [row.person for row in table.shifts]
        assert names == [shift.person.name for shift in ordered_shifts(roster)]
        assert names.index("王三") < names.index("李二") < names.index("张一")

    def test_two_queries_one_without_a_published_roster(self, roster, django_assert_num_queries):
        with django_assert_num_queries(2):
            published_tables([this_month(), next_month()], timezone.localdate())
        with django_assert_num_queries(1):
            assert published_tables([next_month()], timezone.localdate()) == []

    def test_a_published_roster_left_without_shifts_shows_an_empty_table(self, roster):
        DutyShift.objects.filter(roster=roster).delete()

        (table,) = published_tables([this_month()], timezone.localdate())

        assert (table.pk, table.shifts) == (roster.pk, [])


@pytest.mark.django_db
class TestPage:
    def test_marks_todays_row_and_notes_the_reassignment(self, client, roster):
        html = BeautifulSoup(client.get("/duty/", headers=ENGLISH).content, "html.parser")

        (today,) = html.select("tr.today")
        assert "今天值班" in today.get_text()
        assert today.time["datetime"] == timezone.localdate().isoformat()
        (note,) = html.select(".roster-note")
        assert note.get_text() == "(reassigned from 赵四)"
        assert "王三" in note.parent.get_text()
