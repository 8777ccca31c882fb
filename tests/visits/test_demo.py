import pytest

from party import demo as party_demo
from people import demo as people_demo
from visits import demo
from visits.models import Household, HouseholdCategory, Promise, PromiseState, half_year

pytestmark = pytest.mark.django_db


def counts():
    return (Household.objects.count(), Promise.objects.count())


def seed(scale, users):
    """The visits' demo on the register it reads (its cadres and party members), without the
    rest of the demo."""
    people_demo.seed(scale=scale, users={})
    party_demo.seed(scale=scale, users={})
    return demo.seed(scale=scale, users=users)


def test_the_demo_shows_every_category_and_state_and_is_idempotent(cadre):
    users = {"cadre": cadre}
    seed(1, users)
    half = half_year()

    assert set(Household.objects.values_list("category", flat=True)) == set(
        HouseholdCategory.values
    )
    assert Household.objects.not_visited_in(half).exists()
    assert Household.objects.visited_in(half).exists()
    assert set(Promise.objects.values_list("state", flat=True)) == set(PromiseState.values)
    first = counts()

    assert seed(1, users) == 0
    assert counts() == first

    seed(2, users)
    assert counts() == (first[0] * 2, first[1] * 2)


def test_seed_demo_seeds_the_visits_but_not_for_the_public_site():
    from home.management.commands.seed_demo import ADMIN_ONLY, SEEDERS

    assert ("key households and visits", demo.seed) in SEEDERS
    assert "key households and visits" in ADMIN_ONLY
