"""What the briefing and hearing tests share: a clock to stop, times in Shanghai, the two
index pages, people in every role and the site's words in either language."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.test import Client
from django.utils import timezone, translation

from core import roles
from hearings.factories import BriefingIndexPageFactory, HearingIndexPageFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def shanghai(*args):
    """An aware time as read on a clock in Shanghai: ``shanghai(2026, 12, 1, 0, 30)``."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def ui(language, message, **params):
    """``message`` as the site shows it in ``language`` ("zh-hans" or "en")."""
    with translation.override(language):
        text = str(translation.gettext(message))
    return text % params if params else text


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
    """Stops "now" (``clock.set(...)`` moves it). Starts at the real time, in UTC."""
    clock = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def briefings(db):
    return BriefingIndexPageFactory()


@pytest.fixture
def hearings(db):
    return HearingIndexPageFactory()


@pytest.fixture
def clerk(make_user):
    return make_user(roles.MEETING_CLERKS, username="clerk")


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISORS, username="supervisor")
