"""The volunteers' demo: teams active and not, each led by party members, participations,
pledge cards done to every degree and in every state, and people both meeting and short of the
pledge; idempotent, and multiplied by the scale."""

import pytest

from django.utils import timezone

from duty import demo as duty_demo
from home.management.commands import seed_demo
from home.management.commands.seed_demo import ADMIN_ONLY, SEEDERS
from party import demo as party_demo
from people import demo as people_demo
from volunteers import demo
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


def seed(scale, users):
    """The volunteers' demo on what it reads (the register, the party members and the duty
    posts' service days), in ``seed_demo``'s order, without the rest of the demo."""
    for seeder in (people_demo.seed, party_demo.seed, duty_demo.seed):
        seeder(scale=scale, users=users)
    return demo.seed(scale=scale, users=users)


def test_seed_demo_seeds_the_volunteers_for_the_public_site():
    names = [name for name, _seeder in SEEDERS]
    assert ("volunteers", demo.seed) in SEEDERS
    assert "volunteers" not in ADMIN_ONLY
    # After what it reads.
    assert names.index("volunteers") > max(
        names.index(name) for name in ("people", "party members", "duty")
    )


def test_the_demo_shows_every_state_and_is_idempotent():
    # The demo's accounts, as ``seed_demo`` makes them: the seeders record their work as them.
    users = seed_demo.Command().seed_accounts(password=None)
    assert seed(1, users) > 0

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

    assert seed(1, users) == 0
    assert counts() == first

    seed(2, users)
    assert counts() == tuple(2 * n for n in first)
