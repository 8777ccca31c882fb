"""Cadre training (干部培训): the days checked against the dates, the year's total, history
with the user, and who may keep it."""

import datetime
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from people.factories import CadreFactory, TrainingFactory
from people.models import TRAINING_DAYS_PER_YEAR, Training, TrainingSubject
from tests.support import logged_in

pytestmark = pytest.mark.django_db

LISTING = reverse("wagtailsnippets_people_training:list")
ADD = reverse("wagtailsnippets_people_training:add")


def form(person, **changes):
    return {
        "person": person.pk,
        "subject": TrainingSubject.LAWS,
        "title": "《民法典》与基层治理",
        "provider": "区司法局",
        "start_date": "2026-03-02",
        "end_date": "2026-03-04",
        "days": "3",
        "certificate": "",
        "change_reason": "",
        **changes,
    }


class TestDays:
    def test_days_may_fill_the_calendar_days_of_the_period(self):
        training = TrainingFactory.build(
            person=CadreFactory(),
            start_date=datetime.date(2026, 3, 2),
            end_date=datetime.date(2026, 3, 4),
            days=Decimal("3"),
        )
        training.full_clean()

    @pytest.mark.parametrize("days", ["3.5", "4"])
    def test_days_cannot_exceed_the_calendar_days(self, days):
        training = TrainingFactory.build(
            person=CadreFactory(),
            start_date=datetime.date(2026, 3, 2),
            end_date=datetime.date(2026, 3, 4),
            days=Decimal(days),
        )
        with pytest.raises(ValidationError) as refused:
            training.full_clean()
        assert "days" in refused.value.message_dict

    @pytest.mark.parametrize("days", ["0", "-1"])
    def test_days_are_more_than_zero(self, days):
        training = TrainingFactory.build(person=CadreFactory(), days=Decimal(days))
        with pytest.raises(ValidationError) as refused:
            training.full_clean()
        assert "days" in refused.value.message_dict

    def test_a_half_day_is_allowed(self):
        TrainingFactory.build(person=CadreFactory(), days=Decimal("0.5")).full_clean()

    def test_the_end_cannot_come_before_the_start(self):
        training = TrainingFactory.build(
            person=CadreFactory(),
            start_date=datetime.date(2026, 3, 4),
            end_date=datetime.date(2026, 3, 2),
        )
        with pytest.raises(ValidationError) as refused:
            training.full_clean()
        assert "end_date" in refused.value.message_dict


def test_in_year_counts_by_the_year_the_course_starts():
    cadre = CadreFactory()
    december = TrainingFactory(
        person=cadre,
        start_date=datetime.date(2025, 12, 30),
        end_date=datetime.date(2026, 1, 2),
        days=Decimal("4"),
    )
    january = TrainingFactory(
        person=cadre, start_date=datetime.date(2026, 1, 5), end_date=datetime.date(2026, 1, 5)
    )
    assert list(Training.objects.in_year(2025)) == [december]
    assert list(Training.objects.in_year(2026)) == [january]


def test_the_rule_is_ten_days():
    assert TRAINING_DAYS_PER_YEAR == 10


class TestTheAdmin:
    def test_the_office_records_training_with_history(self, party_office):
        cadre = CadreFactory(name="吴文斌")

        response = logged_in(party_office).post(ADD, form(cadre, change_reason="补录"))

        assert response.status_code == 302
        training = Training.objects.get()
        assert (training.person, training.days) == (cadre, Decimal("3"))
        (created,) = training.history.all()
        assert created.history_user_id == party_office.pk
        assert created.history_change_reason == "补录"

    def test_the_form_refuses_more_days_than_the_period(self, party_office):
        response = logged_in(party_office).post(ADD, form(CadreFactory(), days="4"))

        assert response.status_code == 200
        assert not Training.objects.exists()

    def test_supervisors_read_but_cannot_add(self, supervisor):
        TrainingFactory(title="城市社区治理能力提升班")
        client = logged_in(supervisor)
        assert "城市社区治理能力提升班" in client.get(LISTING).content.decode()

        response = client.post(ADD, form(CadreFactory()))

        assert response.status_code in (302, 403)
        assert Training.objects.count() == 1

    @pytest.mark.parametrize("who", ["editor", "moderator", "clerk", "cadre"])
    def test_other_roles_are_refused(self, request, who):
        user = request.getfixturevalue(who)
        client = logged_in(user)
        cadre = CadreFactory()

        assert client.get(LISTING).status_code in (302, 403)
        response = client.post(ADD, form(cadre))

        assert response.status_code in (302, 403)
        assert not Training.objects.exists()
