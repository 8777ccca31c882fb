"""What the hardening tests share: a topic that takes opinions, a representative who can log
in, the forms' data as a resident fills them in, and the site running in processes of its own
for the tests that send it many requests at once."""

import re

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from duty.models import RequestCategory
from people.factories import UserFactory

# The votes tests' representatives and motions, for the vote pages.
from tests.votes.conftest import make_motion, make_rep  # noqa: F401

from .running_site import running_site

PASSWORD = "the-right-password-17"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
REQUEST_FORM = "/duty/request/"
LOGIN = "/accounts/login/"

# What the public forms answer a client over its limit (in English), with the minutes to wait.
WAIT_FOR_OPINIONS = re.compile(
    r"You have sent several opinions in a short time\. Please try again in (\d+) minutes?; "
    r"what you wrote is still in the form\."
)
WAIT_FOR_REQUESTS = re.compile(
    r"You have filed several requests in a short time\. Please try again in (\d+) minutes?, "
    r"or call the duty phone\."
)


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


@pytest.fixture(scope="package")
def site_in_processes(django_db_setup, django_db_blocker):
    """The site as production runs it without Redis, gunicorn with two worker processes
    (``running_site.py``): one for the tests that send it many requests at once."""
    with running_site(django_db_blocker) as site:
        yield site
