"""An assessment's workflow: draft → submitted → confirmed (or back to draft, with a
reason), each step by the party-affairs office and refused to every other role, each kept in
the history with the user and the reason; one assessment per building and year."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from buildings.factories import AssessmentFactory
from buildings.models import Assessment, AssessmentState
from core.transitions import ReasonRequired, TransitionRefused, perform
from tests.support import logged_in, ui

from .conftest import refused_in_admin

pytestmark = pytest.mark.django_db


def step_url(assessment, name):
    return reverse("wagtailsnippets_buildings_assessment:transition", args=[assessment.pk, name])


class TestTheOffice:
    def test_submits_and_confirms(self, make_assessment, office):
        assessment = make_assessment()

        perform(assessment, "submit", office)
        perform(assessment, "confirm", office)

        assessment.refresh_from_db()
        assert assessment.state == AssessmentState.CONFIRMED
        assert assessment.submitted_at is not None
        assert assessment.confirmed_at is not None

    def test_confirms_in_the_admin(self, make_assessment, office):
        assessment = make_assessment("submitted")

        response = logged_in(office).post(step_url(assessment, "confirm"), {"reason": ""})

        assert response.status_code == 302
        assessment.refresh_from_db()
        assert assessment.state == AssessmentState.CONFIRMED

    def test_returns_a_submitted_assessment_to_draft_only_with_a_reason(
        self, make_assessment, office
    ):
        assessment = make_assessment("submitted")

        with pytest.raises(ReasonRequired):
            perform(assessment, "return_to_draft", office)
        perform(assessment, "return_to_draft", office, reason="证明材料不全")

        assessment.refresh_from_db()
        assert assessment.state == AssessmentState.DRAFT
        assert assessment.history.first().history_change_reason == "证明材料不全"


class TestTheWrongState:
    @pytest.mark.parametrize(
        ("state", "step"),
        [
            ("draft", "confirm"),
            ("draft", "return_to_draft"),
            ("submitted", "submit"),
            ("confirmed", "submit"),
            ("confirmed", "return_to_draft"),
            ("confirmed", "confirm"),
        ],
    )
    def test_is_refused_and_nothing_changes(self, make_assessment, office, state, step):
        assessment = make_assessment(state)
        rows = assessment.history.count()

        with pytest.raises(TransitionRefused):
            perform(assessment, step, office, reason="试一下")

        assessment.refresh_from_db()
        assert assessment.state == state
        assert assessment.history.count() == rows


class TestTheWrongRole:
    @pytest.mark.parametrize("role", ["supervisor", "editor", "moderator", "clerk", "cadre_user"])
    @pytest.mark.parametrize(
        ("state", "step"),
        [("draft", "submit"), ("draft", "enter_scores"), ("submitted", "confirm")],
    )
    def test_is_refused_and_nothing_changes(self, request, make_assessment, role, state, step):
        user = request.getfixturevalue(role)
        assessment = make_assessment(state)
        rows = assessment.history.count()

        with pytest.raises(PermissionDenied):
            perform(assessment, step, user)
        response = logged_in(user).post(step_url(assessment, step), {"reason": ""})

        assert refused_in_admin(response)
        assessment.refresh_from_db()
        assert assessment.state == state
        assert assessment.history.count() == rows
        assert assessment.scores.count() == 3


class TestHistory:
    def test_each_step_is_kept_with_the_user_and_the_reason(self, office):
        assessment = AssessmentFactory()

        perform(assessment, "submit", office, reason="材料齐全")
        perform(assessment, "confirm", office)

        confirmed, submitted, created = assessment.history.all()
        assert created.history_type == "+"
        assert (submitted.state, submitted.history_user_id) == ("submitted", office.pk)
        assert submitted.history_change_reason == "材料齐全"
        assert (confirmed.state, confirmed.history_user_id) == ("confirmed", office.pk)

    def test_the_scores_entered_are_kept_with_the_user(self, make_assessment, office):
        assessment = make_assessment()

        (created,) = assessment.scores.first().history.all()

        assert created.history_type == "+"
        assert created.history_user_id == office.pk


class TestOnePerBuildingAndYear:
    def test_a_second_assessment_of_the_year_is_refused(self, make_assessment):
        first = make_assessment()
        second = Assessment(building=first.building, year=first.year, assessors="李委员")

        with pytest.raises(ValidationError) as refused:
            second.full_clean(exclude=["state"])

        assert ui("zh-hans", "This building is assessed already for that year.") in str(
            refused.value
        )

    def test_the_next_year_is_assessed_again(self, make_assessment):
        first = make_assessment()

        Assessment(building=first.building, year=first.year + 1, assessors="李委员").full_clean(
            exclude=["state"]
        )


class TestAConfirmedAssessment:
    def test_keeps_its_building_and_year(self, make_assessment, office):
        assessment = make_assessment("confirmed", year=2025)
        url = reverse("wagtailsnippets_buildings_assessment:edit", args=[assessment.pk])

        response = logged_in(office).post(
            url,
            {
                "building": assessment.building.pk,
                "year": 2024,
                "assessors": assessment.assessors,
                "notes": "",
            },
        )

        assert response.status_code == 200
        assert ui("zh-hans", "The assessment is confirmed: its building and year are fixed.") in (
            response.content.decode()
        )
        assessment.refresh_from_db()
        assert assessment.year == 2025

    def test_still_takes_notes(self, make_assessment, office):
        assessment = make_assessment("confirmed", year=2025)
        url = reverse("wagtailsnippets_buildings_assessment:edit", args=[assessment.pk])

        logged_in(office).post(
            url,
            {
                "building": assessment.building.pk,
                "year": 2025,
                "assessors": assessment.assessors,
                "notes": "复查无异议",
            },
        )

        assessment.refresh_from_db()
        assert assessment.notes == "复查无异议"
