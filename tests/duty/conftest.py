"""What the duty tests share: cadres, supervisors and others with accounts and a place in
the register, records brought to a state the only way the site allows (named
transitions), a clock to stop, and the office's duty phone in the site settings."""

import datetime
from html import unescape

import pytest

from django.test import Client
from django.utils import timezone, translation

from audit.transitions import perform
from core import roles
from core.models import CommunitySettings
from duty.factories import DutyRecordFactory
from duty.models import RecordState
from people.factories import PersonFactory

ENGLISH = {"accept-language": "en"}
DUTY_PHONE = "021-64550100"

# How a record reaches each state from received, and what it needs written first.
STEPS = {
    RecordState.RECEIVED: [],
    RecordState.IN_PROGRESS: ["take_on"],
    RecordState.RESOLVED: ["take_on", "resolve"],
    RecordState.REFERRED: ["take_on", "refer"],
}
ANSWERED = {"answer": "已派物业电工上门。", "result": "楼道灯已修好。"}


def ui(message, language="en", **params):
    """``message`` as the site shows it in ``language``."""
    with translation.override(language):
        text = str(translation.gettext(message))
    return text % params if params else text


def text(response):
    """The page as its reader sees the characters (entities decoded)."""
    return unescape(response.content.decode())


def assert_refused_in_admin(response):
    """The Wagtail admin answers PermissionDenied by sending the user to the dashboard with
    "Sorry, you do not have permission to access this area"."""
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


class Clock:
    """What ``django.utils.timezone.now`` answers while the test runs."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def set(self, moment):
        self.moment = moment

    def advance(self, **delta):
        self.moment += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Stops "now" (``clock.advance(hours=3)`` moves it). Starts at the real time."""
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def make_cadre(make_user):
    """``make_cadre("周卫东")``: a Duty cadre with an account and a place in the register."""

    def make(name, username=None, **fields):
        user = make_user(roles.DUTY_CADRES, username=username or f"cadre-{name}")
        person = PersonFactory(
            name=name, is_cadre=True, is_representative=False, user=user, **fields
        )
        return user, person

    return make


@pytest.fixture
def cadre(make_cadre):
    """The cadre on duty (a user in Duty cadres), with ``cadre.person``."""
    user, _person = make_cadre("周卫东", username="cadre")
    return user


@pytest.fixture
def other_cadre(make_cadre):
    user, _person = make_cadre("林晓梅", username="cadre2")
    return user


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISORS, username="supervisor")


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

    def make(state=RecordState.RECEIVED, *, by=cadre, **fields):
        if state in (RecordState.RESOLVED, RecordState.REFERRED):
            fields = {**ANSWERED, **fields}
        record = DutyRecordFactory(**fields)
        for name in STEPS[state]:
            perform(record, name, by)
        return record

    return make
