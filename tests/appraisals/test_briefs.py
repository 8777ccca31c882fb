"""The debriefing report on the evaluation's page (``appraisals.briefs``, registered with
``votes.api``): the representatives on the evaluation's roll and the staff who may read
motions see it once it was given; a draft is never shown; other visitors see nothing of it."""

import datetime
import zoneinfo

import pytest
from bs4 import BeautifulSoup

from appraisals.factories import AppraisalFactory
from core import roles
from core.transitions import perform
from people.factories import CadreFactory, PersonFactory, UserFactory
from tests.support import logged_in
from votes.factories import MotionFactory
from votes.models import MotionKind

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
REPORT = "一年来，本人分管社区党建和居民议事工作，推动中心花园改造落地。"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_the_meeting(clock):
    clock.set(datetime.datetime(2025, 12, 20, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def voter(db):
    """A resident representative with an account, on the roll of the evaluation."""
    return PersonFactory(
        name="王代表", is_representative=True, user=UserFactory(groups=[roles.REPRESENTATIVES])
    )


@pytest.fixture
def appraisal(office):
    """周卫东's 2025 appraisal, its debriefing written (still a draft)."""
    return AppraisalFactory(cadre=CadreFactory(name="周卫东"), year=2025, debriefing=REPORT)


@pytest.fixture
def evaluation(appraisal, voter, clerk):
    """The open evaluation of the same cadre, with the representative on its roll."""
    motion = MotionFactory(kind=MotionKind.EVALUATION, subject=appraisal.cadre, title="年度测评")
    perform(motion, "open", clerk)
    return motion


def brief(client, motion):
    response = client.get(f"/votes/{motion.pk}/")
    assert response.status_code == 200
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return page.select_one("section.brief"), response.content.decode()


def test_a_representative_on_the_roll_reads_the_debriefing(appraisal, evaluation, voter, office):
    perform(appraisal, "record_debriefing", office)

    section, _html = brief(logged_in(voter.user), evaluation)

    assert section is not None
    assert REPORT in section.get_text()
    assert "周卫东" in section.get_text()


def test_and_staff_who_read_motions(appraisal, evaluation, office, clerk, supervisor):
    perform(appraisal, "record_debriefing", office)

    for user in (clerk, supervisor):
        section, _html = brief(logged_in(user), evaluation)
        assert REPORT in section.get_text()


def test_an_anonymous_visitor_sees_nothing_of_it(appraisal, evaluation, office, client):
    perform(appraisal, "record_debriefing", office)

    section, html = brief(client, evaluation)

    assert section is None
    assert REPORT not in html


def test_nor_a_representative_off_the_roll_nor_an_editor(appraisal, evaluation, office, editor):
    perform(appraisal, "record_debriefing", office)
    # Added to the register after the vote opened: not on its roll.
    late = PersonFactory(is_representative=True, user=UserFactory(groups=[roles.REPRESENTATIVES]))

    for user in (late.user, editor):
        section, html = brief(logged_in(user), evaluation)
        assert section is None
        assert REPORT not in html


def test_a_draft_is_never_shown(appraisal, evaluation, voter, clerk):
    for user in (voter.user, clerk):
        section, html = brief(logged_in(user), evaluation)
        assert section is None
        assert REPORT not in html


def test_another_years_debriefing_is_not_shown(evaluation, voter, office):
    earlier = AppraisalFactory(cadre=evaluation.subject, year=2024, debriefing="2024年的述职。")
    perform(earlier, "record_debriefing", office)

    section, html = brief(logged_in(voter.user), evaluation)

    assert section is None
    assert "2024年的述职。" not in html
