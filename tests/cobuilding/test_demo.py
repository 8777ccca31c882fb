"""The demo: partners of every kind, agreements in force and ended, activities of the four
kinds in draft and published, organisations flagged and not, with guidance visits; idempotent,
multiplied by ``--scale``."""

import datetime

import pytest
import time_machine

from cobuilding import demo
from cobuilding.models import (
    ActivityKind,
    ActivityState,
    Agreement,
    AgreementState,
    GuidanceVisit,
    JointActivity,
    NewOrganisation,
    Partner,
    PartnerKind,
)
from core import roles
from home.management.commands.seed_demo import SEEDERS
from people import demo as people_demo
from people.factories import UserFactory
from tests.support import kept_for_the_scope

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The register and the co-building demo at scale 1, seeded once for the module's tests by
    the party office: ``(office, how many co-building records it created)``. Each test runs in
    a savepoint inside it, so that what one test adds is gone before the next."""

    def build():
        with time_machine.travel(TODAY, tick=False):
            office = UserFactory(groups=[roles.PARTY_OFFICE], username="party-office")
            people_demo.seed(scale=1, users={})
            return office, demo.seed(scale=1, users={"party": office})

    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture
def office(seeded, db):
    office, _created = seeded
    return office


def counts():
    models = (Partner, Agreement, JointActivity, NewOrganisation, GuidanceVisit)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_runs_it():
    assert ("co-building", demo.seed) in SEEDERS


def test_every_kind_and_every_state(seeded, office):
    _office, created = seeded
    assert created > 0

    assert set(Partner.objects.values_list("kind", flat=True)) == set(PartnerKind.values)
    assert Partner.objects.filter(active=False).exists()
    assert set(Agreement.objects.values_list("state", flat=True)) == set(AgreementState.values)
    ended = Agreement.objects.filter(state=AgreementState.ENDED).first()
    latest = ended.history.latest()
    assert (latest.history_user_id, bool(latest.history_change_reason)) == (office.pk, True)
    pairs = set(JointActivity.objects.values_list("kind", "state"))
    assert pairs == {(kind, state) for kind in ActivityKind.values for state in ActivityState}
    for activity in JointActivity.objects.published():
        assert activity.partners.count() == 2
        assert activity.date <= TODAY.date()
        assert activity.history.latest().history_user_id == office.pk
    flagged = NewOrganisation.objects.needs_party_organisation()
    assert flagged.exists()
    assert NewOrganisation.objects.exclude(pk__in=flagged).filter(party_members__gte=3).exists()
    assert NewOrganisation.objects.exclude(pk__in=flagged).filter(party_members__lt=3).exists()
    assert GuidanceVisit.objects.filter(organisation__in=flagged).exists()


def test_idempotent_and_multiplied_by_the_scale(office):
    once = counts()
    assert demo.seed(scale=1, users={"party": office}) == 0
    assert counts() == once
    ended = Agreement.objects.filter(state=AgreementState.ENDED).count()

    demo.seed(scale=3, users={"party": office})

    assert {name: count // 3 for name, count in counts().items()} == once
    assert all(count == 3 * once[name] for name, count in counts().items())
    assert Agreement.objects.filter(state=AgreementState.ENDED).count() == 3 * ended
    published = JointActivity.objects.published().count()
    assert published == 3 * len(ActivityKind)
