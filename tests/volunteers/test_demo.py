import pytest

from django.core.management import call_command
from django.utils import timezone

from volunteers.models import Participation, PledgeCard, PledgeState, Team, VolunteerActivity
from volunteers.service import service_years

pytestmark = pytest.mark.django_db


def counts():
    return (
        Team.objects.count(),
        VolunteerActivity.objects.count(),
        Participation.objects.count(),
        PledgeCard.objects.count(),
    )


def test_the_demo_shows_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", public_only=True, verbosity=0)

    assert Team.objects.filter(active=True).exists()
    assert Team.objects.filter(active=False).exists()
    for team in Team.objects.all():
        assert team.backbone.exists()
        assert all(person.is_party_member for person in team.backbone.all())
    assert Participation.objects.exists()
    done = sorted(card.done_count for card in PledgeCard.objects.all())
    assert done == [0, 2, 5]
    assert set(PledgeCard.objects.values_list("state", flat=True)) == set(PledgeState.values)
    rows = service_years(timezone.localdate().year)
    assert any(row.pledge_met for row in rows)
    assert any(not row.pledge_met for row in rows)
    first = counts()

    call_command("seed_demo", public_only=True, verbosity=0)
    assert counts() == first

    call_command("seed_demo", scale=2, public_only=True, verbosity=0)
    assert counts() == tuple(2 * n for n in first)
