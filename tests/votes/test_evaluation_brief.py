"""``votes.api.register_evaluation_brief``: the page of an evaluation shows what a provider
registered by another app gives for the cadre and year evaluated (the debriefing report), to
the representatives on its roll and the staff who may read motions, and to nobody else."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.support import logged_in
from votes import api
from votes.models import MotionKind, MotionState

from .conftest import ENGLISH, step

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def provider(monkeypatch):
    """A provider that knows one debriefing (周干部's of 2025) and records what it was asked."""
    monkeypatch.setattr(api, "_brief_providers", [])
    asked = []

    def brief(person, year):
        asked.append((person.name, year))
        if person.name == "周干部" and year == 2025:
            return api.EvaluationBrief(
                title="周干部2025年度述职", text="一年来，我主要做了三件事。"
            )
        return None

    api.register_evaluation_brief(brief)
    brief.asked = asked
    return brief


@pytest.fixture
def evaluation(make_rep, make_motion, clock):
    """An open evaluation of 周干部 (opened in December 2025) with one representative on
    its roll."""
    clock.set(datetime.datetime(2025, 12, 20, 9, 0, tzinfo=SHANGHAI))
    voter = make_rep(name="王代表")
    cadre = make_rep(account=False, name="周干部", is_representative=False, is_cadre=True)
    motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre)
    motion.voter = voter
    return motion


def brief_of(response):
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return page.select_one("section[aria-labelledby=brief-heading]")


def test_a_representative_on_the_roll_reads_the_debriefing(provider, evaluation):
    section = brief_of(logged_in(evaluation.voter.user).get(f"/votes/{evaluation.pk}/", **ENGLISH))

    assert section is not None
    assert section.select_one("h2").get_text(strip=True) == "Debriefing report"
    assert "周干部2025年度述职" in section.get_text()
    assert "一年来，我主要做了三件事。" in section.get_text()
    assert provider.asked == [("周干部", 2025)]


def test_staff_who_read_motions_see_it_too(provider, evaluation, clerk, supervisor):
    for user in (clerk, supervisor):
        assert brief_of(logged_in(user).get(f"/votes/{evaluation.pk}/")) is not None


def test_nobody_else_sees_it_nor_is_it_asked_for(
    provider, evaluation, client, make_rep, editor, cadre
):
    off_the_roll = make_rep(name="李代表")  # a representative added after the vote opened
    for visitor in (client, logged_in(off_the_roll.user), logged_in(editor), logged_in(cadre)):
        response = visitor.get(f"/votes/{evaluation.pk}/")
        assert brief_of(response) is None
        assert "一年来" not in response.content.decode()
    assert provider.asked == []


def test_the_year_is_the_one_the_vote_closed_in(provider, evaluation, clerk, clock):
    """Closed in the new year, it is that year's evaluation (as ``evaluation_summary``
    counts it): the 2025 debriefing is not shown with it."""
    clock.set(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))
    step(evaluation, "close", by=clerk)

    assert brief_of(logged_in(clerk).get(f"/votes/{evaluation.pk}/")) is None
    assert provider.asked == [("周干部", 2026)]


def test_a_motion_that_is_no_evaluation_has_none(provider, make_motion, clerk):
    motion = make_motion(MotionState.OPEN, title="关于加装电梯的表决")

    assert brief_of(logged_in(clerk).get(f"/votes/{motion.pk}/")) is None
    assert provider.asked == []


def test_registering_twice_keeps_one(provider):
    api.register_evaluation_brief(provider)

    assert api._brief_providers == [provider]
