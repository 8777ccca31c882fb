"""The demo of characteristic creation: the eight categories with standards, buildings
assessed in every state, titles of each kind (one withdrawn), projects of both kinds;
``scale`` multiplies it, and seeding again adds nothing."""

import datetime

import pytest
import time_machine

from buildings import demo
from buildings.models import (
    Assessment,
    AssessmentState,
    Building,
    Category,
    Project,
    ProjectKind,
    Standard,
    Title,
    TitleKind,
    TitleState,
)
from core import roles
from people.factories import UserFactory
from tests.support import kept_for_the_scope

pytestmark = pytest.mark.django_db


THIS_YEAR = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _this_year(time_machine):
    time_machine.move_to(THIS_YEAR, tick=False)


@pytest.fixture(scope="module")
def office(django_db_setup, django_db_blocker):
    """The party office, who seeds the demo at scale 1 once for the module's tests. Each test
    runs in a savepoint inside it, so that what one test adds is gone before the next."""

    def build():
        with time_machine.travel(THIS_YEAR, tick=False):
            office = UserFactory(groups=[roles.PARTY_OFFICE], username="party")
            demo.seed(scale=1, users={"party": office})
        return office

    yield from kept_for_the_scope(django_db_blocker, build)


def counts():
    return [
        model.objects.count()
        for model in (Category, Standard, Building, Assessment, Title, Project)
    ]


def test_shows_every_state_and_kind(office):
    assert Category.objects.filter(active=True).count() == 8
    assert all(category.standards.exists() for category in Category.objects.all())
    assert set(Assessment.objects.values_list("state", flat=True)) == set(AssessmentState)
    assert set(Title.objects.values_list("kind", flat=True)) == set(TitleKind)
    assert Title.objects.filter(state=TitleState.WITHDRAWN).count() == 1
    assert Title.objects.get(state=TitleState.WITHDRAWN).withdrawn_reason
    assert set(Project.objects.values_list("kind", flat=True)) == set(ProjectKind)
    assert not Title.objects.exclude(assessment__state=AssessmentState.CONFIRMED).exists()
    assert all(a.total() > 0 for a in Assessment.objects.all())
    assert Assessment.objects.filter(year=2025).count() == Building.objects.count()


def test_is_idempotent(office):
    before = counts()

    added = demo.seed(scale=1, users={"party": office})

    assert added == 0
    assert counts() == before


def test_scale_multiplies(office):
    once = counts()

    demo.seed(scale=3, users={"party": office})

    three = counts()
    assert three[:2] == once[:2]
    assert three[2] == 3 * once[2]
    assert three[3] == 3 * once[3]
    assert three[5] == 3 * once[5]
