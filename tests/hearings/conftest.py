"""What the briefing and hearing tests share: a clock to stop, times in Shanghai, the two
index pages, people in every role and the site's words in either language."""

import datetime
from zoneinfo import ZoneInfo

import pytest

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


@pytest.fixture
def briefings(db):
    return BriefingIndexPageFactory()


@pytest.fixture
def hearings(db):
    return HearingIndexPageFactory()
