"""What the duty tests share: cadres, supervisors and others with accounts and a place in
the register, records brought to a state the only way the site allows (named
transitions), a clock to stop, and the office's duty phone in the site settings."""

from html import unescape

import pytest

from core.models import CommunitySettings
from core.transitions import perform
from duty.factories import DutyRecordFactory
from duty.models import DutyRecordState

ENGLISH = {"accept-language": "en"}
DUTY_PHONE = "021-64550100"

# How a record reaches each state from received, and what it needs written first.
STEPS = {
    DutyRecordState.RECEIVED: [],
    DutyRecordState.IN_PROGRESS: ["take_on"],
    DutyRecordState.RESOLVED: ["take_on", "resolve"],
    DutyRecordState.REFERRED: ["take_on", "refer"],
}
ANSWERED = {"answer": "已派物业电工上门。", "result": "楼道灯已修好。"}


def text(response):
    """The page as its reader sees the characters (entities decoded)."""
    return unescape(response.content.decode())


def assert_refused_in_admin(response):
    """The Wagtail admin answers PermissionDenied by sending the user to the dashboard with
    "Sorry, you do not have permission to access this area"."""
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


@pytest.fixture
def other_cadre(make_cadre):
    user, _person = make_cadre("林晓梅", username="cadre2")
    return user


@pytest.fixture
def duty_phone(site):
    settings = CommunitySettings.for_site(site)
    settings.duty_phone = DUTY_PHONE
    settings.save()
    return DUTY_PHONE


@pytest.fixture
def make_record(cadre):
    """``make_record("resolved", category="security")``: a record brought to that state by
    the cadre, through the named transitions."""

    def make(state=DutyRecordState.RECEIVED, *, by=cadre, **fields):
        if state in (DutyRecordState.RESOLVED, DutyRecordState.REFERRED):
            fields = {**ANSWERED, **fields}
        record = DutyRecordFactory(**fields)
        for name in STEPS[state]:
            perform(record, name, by)
        return record

    return make
