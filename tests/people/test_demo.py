"""The demo's cadre training and talks: compliant and overdue cadres on both rules, an open
and a done follow-up; idempotent, and growing with the scale."""

import datetime

import pytest

from django.utils import timezone

from people import demo
from people.compliance import counts
from people.models import FollowUpState, Person, Talk, Training

pytestmark = pytest.mark.django_db


def seed(scale, users):
    demo.seed(scale=scale, users=users)
    return demo.seed_cadre_records(scale=scale, users=users)


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def test_every_situation_is_shown(clock, party_office):
    clock.set(shanghai(2026, 12, 5, 10))
    users = {"party": party_office}

    created = seed(1, users)

    cadres = Person.objects.cadres().count()
    assert created > cadres
    shown = counts()
    assert 0 < shown["under_trained"] < cadres
    assert 0 < shown["overdue_talks"] < cadres
    assert shown["open_follow_ups"] > 0
    assert Talk.objects.filter(follow_up_state=FollowUpState.DONE).exists()
    done = Talk.objects.filter(follow_up_state=FollowUpState.DONE).first()
    assert done.history.latest().history_user_id == party_office.pk
    assert Training.objects.first().history.get().history_user_id == party_office.pk

    # Idempotent...
    assert demo.seed_cadre_records(scale=1, users=users) == 0
    # ...and more cadres at a larger scale get theirs.
    trainings = Training.objects.count()
    assert seed(2, users) > 0
    assert Training.objects.count() > trainings
