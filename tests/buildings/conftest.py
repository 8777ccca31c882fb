import pytest

from buildings.factories import AssessmentFactory, CategoryFactory, StandardFactory
from buildings.models import CategoryKind
from core import roles
from core.transitions import perform


def refused_in_admin(response):
    """The Wagtail admin answers PermissionDenied by sending the user to the dashboard (or
    the login page, for a user without admin access)."""
    return response.status_code in (302, 403) and (
        response.status_code == 403
        or response["Location"] == "/admin/"
        or response["Location"].startswith("/admin/login/")
    )


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party")


@pytest.fixture
def cadre_user(make_user):
    return make_user(roles.DUTY_CADRES, username="cadre")


@pytest.fixture
def standards(db):
    """Two standards of 学习型 (at most 10 and 5 points) and one of 平安型 (at most 10)."""
    learning = CategoryFactory(kind=CategoryKind.LEARNING, sort_order=1)
    safety = CategoryFactory(kind=CategoryKind.SAFETY, sort_order=6)
    return [
        StandardFactory(category=learning, text="读书角", max_score=10, sort_order=1),
        StandardFactory(category=learning, text="学习讲座", max_score=5, sort_order=2),
        StandardFactory(category=safety, text="消防通道畅通", max_score=10, sort_order=1),
    ]


@pytest.fixture
def make_assessment(office, standards):
    """``make_assessment("submitted", scores=[8, 5, 9])``: an assessment with those scores
    (one per standard, in order), brought to that state by the office."""

    def make(state="draft", scores=(8, 5, 9), **fields):
        assessment = AssessmentFactory(**fields)
        perform(
            assessment,
            "enter_scores",
            office,
            scores={
                standard: (value, "记录")
                for standard, value in zip(standards, scores, strict=False)
            },
        )
        if state in ("submitted", "confirmed"):
            perform(assessment, "submit", office)
        if state == "confirmed":
            perform(assessment, "confirm", office)
        assessment.refresh_from_db()
        return assessment

    return make
