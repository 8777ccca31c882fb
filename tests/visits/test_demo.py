import pytest

from django.core.management import call_command

from visits.models import Household, HouseholdCategory, Promise, PromiseState, half_year

pytestmark = pytest.mark.django_db


def counts():
    return (Household.objects.count(), Promise.objects.count())


def test_the_demo_shows_every_category_and_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    half = half_year()

    assert set(Household.objects.values_list("category", flat=True)) == set(
        HouseholdCategory.values
    )
    assert Household.objects.not_visited_in(half).exists()
    assert Household.objects.visited_in(half).exists()
    assert set(Promise.objects.values_list("state", flat=True)) == set(PromiseState.values)
    first = counts()

    call_command("seed_demo", verbosity=0)
    assert counts() == first

    call_command("seed_demo", scale=2, verbosity=0)
    assert counts() == (first[0] * 2, first[1] * 2)
