"""What the hardening tests share: a topic that takes opinions, a representative who can log
in, and the forms' data as a resident fills them in."""

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from duty.models import RequestCategory
from people.factories import UserFactory

# The votes tests' representatives and motions, for the vote pages and the simultaneous ballots.
from tests.votes.conftest import make_motion, make_rep  # noqa: F401

PASSWORD = "the-right-password-17"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
REQUEST_FORM = "/duty/request/"
LOGIN = "/accounts/login/"


def opinion_data(n=0, **fields):
    return {
        "author_name": "3号楼老李",
        "contact": "",
        "body": f"建议晚上把小区门口的临时车位开放给居民（第{n}条）。",
        "website": "",
        **fields,
    }


def request_data(**fields):
    return {
        "resident_name": "李秀英",
        "resident_contact": "13712345678",
        "place": "5号楼2单元",
        "category": RequestCategory.REPAIR,
        "request": "楼道灯不亮，晚上上下楼很危险。",
        "website": "",
        **fields,
    }


def login_data(password=PASSWORD):
    return {"username": "chen", "password": password}


@pytest.fixture
def topic(db):
    return BlogPageFactory(kind=BlogKind.TOPIC, title="小区停车难，大家怎么看？", slug="parking")


@pytest.fixture
def chen(db):
    """A representative who logs in with ``login_data()``."""
    return UserFactory(username="chen", password=PASSWORD, groups=["Representatives"])
