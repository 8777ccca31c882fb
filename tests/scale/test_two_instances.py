"""One site, two instances (issue 15): what one instance does, the other knows at once.

Instances A and B run the production settings, each its own gunicorn on its own port, and
share one PostgreSQL database and one Redis (``conftest.py``). A visitor's requests reach
either, as a load balancer in front would send them: an opinion approved through one shows
on the next read through both, although both had the page in the page cache; the limit on
opinions counts one client's forms whichever instance took them; a login locked out through
either is locked on both; a session begun on one is the same session on the other.
"""

import itertools
import re

import pytest
from django_ratelimit.core import _split_rate

from django.conf import settings

from tests.support import ui

from .client import Visitor, an_address_with_time_left
from .conftest import PASSWORD

# django_db: the suite's migrated test database is set up, the template of the instances'
# own (conftest.py); nothing here reads or writes it.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

# Each test is a visitor of its own (documentation addresses, RFC 5737): the rate limits and
# the lockouts count per address.
ADDRESSES = (f"203.0.113.{n}" for n in itertools.count(1))
LOGIN = "/accounts/login/"
OPINIONS = "/admin/snippets/opinions/opinion/"


def a_visitor():
    return Visitor(next(ADDRESSES))


def read_until_kept(visitor, instances, path):
    """Read ``path`` through each instance until it answers from the page cache; the kept
    copies. The first instance keeps what it rendered; the other finds it in Redis."""
    copies = []
    for instance in instances:
        for _read in range(3):
            page = visitor.get(instance, path)
            assert page.status == 200, (instance.name, path, page.status)
            if page.cached == "hit":
                break
        assert page.cached == "hit", (instance.name, path)
        copies.append(page.text)
    return copies


def test_an_opinion_approved_through_one_shows_through_both(instances, seeded):
    a, b = instances
    resident, moderator = a_visitor(), a_visitor()
    topic = seeded["topic"]
    body = "建议在三号楼北侧划出临时停车位，晚上九点后开放。"
    assert all(body not in copy for copy in read_until_kept(resident, instances, topic))

    # The resident writes from the page A handed out of the cache: no token, but Origin.
    sent = resident.post(a, topic, {"author_name": "三号楼居民", "body": body, "website": ""})
    assert sent.status == 302, sent.text[-2000:]
    reference = re.fullmatch(r"/opinions/([^/]+)/\?sent=1", sent.location).group(1)
    assert all(body not in copy for copy in read_until_kept(resident, instances, topic))

    # The moderator approves it in B's admin.
    assert moderator.log_in(b, "moderator", PASSWORD, path="/admin/login/").status == 302
    queue = moderator.get(b, f"{OPINIONS}?q={reference}")
    assert queue.status == 200
    (approve,) = set(re.findall(rf"{OPINIONS}\d+/transition/approve/", queue.text))
    confirm = moderator.get(b, approve)
    assert confirm.status == 200
    approved = moderator.post(
        b, approve, {"csrfmiddlewaretoken": confirm.csrf_token(), "reason": "建议具体"}
    )
    assert approved.status == 302

    # The next read through A renders the page again; B is handed what A just kept.
    first, second = (resident.get(instance, topic) for instance in (a, b))
    assert first.cached == "miss"
    assert body in first.text
    assert second.status == 200
    assert body in second.text


def test_the_opinion_limit_counts_forms_sent_through_either(instances, seeded):
    a, b = instances
    # The limits are the base settings', which production keeps.
    limit, period = _split_rate(settings.PUBLIC_FORM_RATE_LIMITS["opinion"])
    resident = Visitor(an_address_with_time_left(ADDRESSES, (period,), 120))
    topic = seeded["topic"]

    # Alternating between the instances, the limit is reached once in all, not per instance.
    for number in range(limit):
        through = (a, b)[number % 2]
        sent = resident.post(
            through, topic, {"author_name": "居民", "body": f"第{number + 1}条意见", "website": ""}
        )
        assert sent.status == 302, (through.name, number, sent.status)
    for through in (a, b):
        refused = resident.post(
            through, topic, {"author_name": "居民", "body": "再说一条", "website": ""}
        )
        assert refused.status == 429, through.name
        assert "再说一条" in refused.text
    # Another resident is not held back by this one's opinions.
    other = a_visitor().post(b, topic, {"author_name": "居民", "body": "另一位", "website": ""})
    assert other.status == 302


def test_a_login_locked_out_through_either_is_locked_on_both(instances):
    a, b = instances
    someone = a_visitor()
    failures = settings.AXES_FAILURE_LIMIT
    for number in range(failures):
        through = (a, b)[number % 2]
        tried = someone.log_in(through, "rep", f"guess-{number}")
        # The last failure locks the account for this address, wherever it was tried.
        expected = 429 if number == failures - 1 else 200
        assert tried.status == expected, (through.name, number, tried.status)

    # Locked on both, the right password included: no session is made.
    for through in (a, b):
        tried = someone.log_in(through, "rep", PASSWORD)
        assert tried.status == 429, through.name
        assert "sessionid" not in someone.cookies


def test_a_session_begun_on_one_is_the_same_on_the_other(instances):
    a, b = instances
    rep = a_visitor()
    logged_in = rep.log_in(a, "rep", PASSWORD)
    assert logged_in.status == 302
    assert "sessionid" in rep.cookies

    # B knows the session: the login page sends a logged-in user on, and the front page is
    # rendered for them, never handed out of the page cache.
    again = rep.get(b, LOGIN)
    assert again.status == 302
    assert again.location == settings.LOGIN_REDIRECT_URL
    front = rep.get(b, "/")
    assert front.status == 200
    assert front.cached is None
    assert ui("zh-hans", "Signed in as %(name)s", name="陈国强") in front.text

    # Logged out through B: the session is over on A too, even for a cookie kept back.
    session = rep.cookies["sessionid"]
    logged_out = rep.post(b, "/accounts/logout/", {"csrfmiddlewaretoken": front.csrf_token()})
    assert logged_out.status == 302
    assert "sessionid" not in rep.cookies
    rep.cookies["sessionid"] = session
    assert rep.get(a, LOGIN).status == 200
