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
from home.management.commands.seed_demo import SEEDERS
from people import demo as people_demo

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def counts():
    models = (Partner, Agreement, JointActivity, NewOrganisation, GuidanceVisit)
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_runs_it():
    assert ("co-building", demo.seed) in SEEDERS


def test_every_kind_and_every_state(office):
    people_demo.seed(scale=1, users={})
    assert demo.seed(scale=1, users={"party": office}) > 0

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
    demo.seed(scale=1, users={"party": office})
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
