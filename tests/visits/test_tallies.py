"""Each visitor's "four hundred" (四个一百) for a year, drawn from the visits: doors entered
(distinct households), families known, difficulties solved (promises kept that year), one
query each whatever the numbers."""

import datetime

import pytest

from core.transitions import perform
from people.factories import CadreFactory, PersonFactory
from visits.factories import HouseholdFactory, PromiseFactory, VisitFactory
from visits.tallies import tallies

pytestmark = pytest.mark.django_db


def by_name(year):
    return {
        tally.visitor.name: (tally.doors_entered, tally.families_known, tally.difficulties_solved)
        for tally in tallies(year)
    }


def test_the_tallies_count_distinct_households_and_kept_promises(time_machine, cadre):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 3, tzinfo=datetime.UTC), tick=False)
    zhou, li = CadreFactory(name="周访"), PersonFactory(name="李党员", is_party_member=True)
    first, second, third = HouseholdFactory(), HouseholdFactory(), HouseholdFactory()
    # Two visits to one household are one door.
    VisitFactory(household=first, visitors=[zhou, li], date=datetime.date(2026, 3, 1))
    VisitFactory(
        household=first, visitors=[zhou], date=datetime.date(2026, 9, 1), circumstances_known=False
    )
    VisitFactory(
        household=second, visitors=[zhou], date=datetime.date(2026, 9, 2), circumstances_known=False
    )
    kept = PromiseFactory(
        visit=VisitFactory(household=third, visitors=[li], date=datetime.date(2026, 10, 1))
    )
    PromiseFactory(
        visit=VisitFactory(household=third, visitors=[li], date=datetime.date(2026, 10, 2))
    )
    perform(kept, "keep", cadre, outcome="已维修")
    # Last year's visits count for last year only.
    VisitFactory(household=third, visitors=[zhou], date=datetime.date(2025, 12, 31))

    assert by_name(2026) == {"周访": (2, 1, 0), "李党员": (2, 2, 1)}
    assert by_name(2025) == {"周访": (1, 1, 0)}


def test_a_promise_handed_on_solves_nothing(cadre):
    promise = PromiseFactory()
    perform(promise, "hand_on", cadre, reason="超出职责", handed_to="街道民政科")
    (tally,) = tallies(promise.visit.date.year)
    assert tally.difficulties_solved == 0


@pytest.mark.parametrize("visits", [1, 12])
def test_one_query_each_whatever_the_numbers(visits, cadre, django_assert_max_num_queries):
    visitors = [CadreFactory() for _ in range(3)]
    for number in range(visits):
        promise = PromiseFactory(visit__visitors=visitors[: number % 3 + 1])
        perform(promise, "keep", cadre, outcome="已办")
    year = promise.visit.date.year

    # Doors entered, families known, difficulties solved, and the visitors' names.
    with django_assert_max_num_queries(4):
        found = tallies(year)
        assert [tally.visitor.name for tally in found]
    assert sum(tally.doors_entered for tally in found) >= visits
