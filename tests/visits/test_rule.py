"""The half-year rule: every active household is visited at least once in each half year
(1 January to 30 June, 1 July to 31 December), on known dates at the boundaries."""

import datetime

import pytest

from visits.factories import HouseholdFactory, VisitFactory
from visits.models import HalfYear, Household, half_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 1, 1), (2026, 1)),
        (datetime.date(2026, 6, 30), (2026, 1)),
        (datetime.date(2026, 7, 1), (2026, 2)),
        (datetime.date(2026, 12, 31), (2026, 2)),
        (datetime.date(2027, 1, 1), (2027, 1)),
    ],
)
def test_half_year_of_a_day(day, expected):
    half = half_year(day)
    assert (half.year, half.half) == expected
    assert day in half
    assert half.start <= day <= half.end


def test_the_halves_meet_without_a_gap():
    first, second = HalfYear(2026, 1), HalfYear(2026, 2)
    assert (first.start, first.end) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert (second.start, second.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))


def test_half_year_reads_today_in_the_site_time_zone(time_machine):
    # 30 June 17:00 UTC is already 1 July in Shanghai.
    time_machine.move_to(datetime.datetime(2026, 6, 30, 17, 0, tzinfo=datetime.UTC), tick=False)
    assert half_year() == HalfYear(2026, 2)


def due(half):
    return set(Household.objects.not_visited_in(half))


class TestTheRuleAtTheBoundaries:
    def test_a_visit_on_30_june_counts_for_the_first_half_only(self, time_machine):
        time_machine.move_to(datetime.datetime(2026, 6, 30, 10, tzinfo=datetime.UTC), tick=False)
        household = HouseholdFactory()
        VisitFactory(household=household, date=datetime.date(2026, 6, 30))

        assert household not in due(half_year())
        time_machine.move_to(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC), tick=False)
        assert household in due(half_year())

    def test_a_visit_on_1_july_counts_for_the_second_half(self, time_machine):
        time_machine.move_to(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC), tick=False)
        household = HouseholdFactory()
        VisitFactory(household=household, date=datetime.date(2026, 7, 1))

        assert household not in due(half_year())
        assert household in due(HalfYear(2026, 1))

    def test_a_visit_on_31_december_does_not_carry_into_january(self, time_machine):
        time_machine.move_to(datetime.datetime(2026, 12, 31, 8, tzinfo=datetime.UTC), tick=False)
        household = HouseholdFactory()
        VisitFactory(household=household, date=datetime.date(2026, 12, 31))

        assert household not in due(half_year())
        time_machine.move_to(datetime.datetime(2027, 1, 1, 1, tzinfo=datetime.UTC), tick=False)
        assert half_year() == HalfYear(2027, 1)
        assert household in due(half_year())

    def test_a_visit_on_1_january_counts_for_the_new_year(self, time_machine):
        time_machine.move_to(datetime.datetime(2027, 1, 1, 1, tzinfo=datetime.UTC), tick=False)
        household = HouseholdFactory()
        VisitFactory(household=household, date=datetime.date(2027, 1, 1))

        assert household not in due(HalfYear(2027, 1))
        assert household in due(HalfYear(2026, 2))


def test_households_no_longer_kept_in_view_are_never_due():
    half = HalfYear(2026, 1)
    kept, left = HouseholdFactory(), HouseholdFactory(is_active=False)
    assert kept in due(half)
    assert left not in due(half)


def test_one_visit_is_enough_and_visited_in_is_the_complement():
    half = HalfYear(2026, 2)
    visited, forgotten = HouseholdFactory(), HouseholdFactory()
    VisitFactory(household=visited, date=datetime.date(2026, 9, 1))
    VisitFactory(household=visited, date=datetime.date(2026, 10, 1))
    VisitFactory(household=forgotten, date=datetime.date(2026, 3, 1))

    assert due(half) == {forgotten}
    assert set(Household.objects.visited_in(half)) == {visited}


def test_a_visit_cannot_be_dated_in_the_future(time_machine):
    from django.core.exceptions import ValidationError

    time_machine.move_to(datetime.datetime(2026, 6, 30, 4, tzinfo=datetime.UTC), tick=False)
    visit = VisitFactory.build(household=HouseholdFactory(), date=datetime.date(2026, 7, 1))
    with pytest.raises(ValidationError) as refused:
        visit.full_clean()
    assert "date" in refused.value.message_dict
    visit.date = datetime.date(2026, 6, 30)
    visit.full_clean()


def test_circumstances_known_needs_what_was_found():
    from django.core.exceptions import ValidationError

    visit = VisitFactory.build(
        household=HouseholdFactory(), circumstances="", circumstances_known=True
    )
    with pytest.raises(ValidationError) as refused:
        visit.full_clean()
    assert "circumstances" in refused.value.message_dict
