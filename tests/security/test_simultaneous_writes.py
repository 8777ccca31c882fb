"""SQLite under simultaneous writes: no "database is locked" reaches a user.

On the site as it runs on the embedded default (``running_site``: gunicorn with production's
settings, two worker processes of ten threads each, a SQLite file that also holds the cache),
twenty representatives vote while twenty residents each give an opinion and file a service
request, all in the same instant: every one is kept, none meets a server error, and the site's
log never says "database is locked". The settings begin each transaction with the write lock,
let a writer wait its turn (``timeout``) and keep readers and the writer apart (the write-ahead
log): ``DATABASES`` in ``cms/settings/base.py``.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string

from tests.scale.client import ORIGIN, Visitor

from .conftest import REQUEST_FORM, opinion_data, request_data
from .running_site import VOTERS

RESIDENTS = 20  # each gives an opinion and files a request, from an address of their own

logger = logging.getLogger(__name__)

# The suite's migrated test database is set up (the site's file is a copy of it).
pytestmark = pytest.mark.django_db


def test_the_sqlite_settings():
    """The embedded default, as every settings module builds it (the tests' own database is
    in memory, where neither matters)."""
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "sqlite":
        assert "transaction_mode" not in options
        return
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    commands = [c.strip() for c in options["init_command"].split(";") if c.strip()]
    assert commands == ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"]


@pytest.fixture(scope="module")
def site(site_in_processes):
    return site_in_processes


def ballot(site, session):
    """A representative's ballot, from the vote's page: a token, as logged-in users' forms
    carry."""
    facts = site.facts
    token = _get_new_csrf_string()
    path = f"/votes/{facts['motion']}/"
    visitor = Visitor("192.0.2.1")
    session_cookie, csrf_cookie = facts["cookies"]
    visitor.cookies = {session_cookie: session, csrf_cookie: token}
    body = {"option": facts["option"], "confirm": "1", "csrfmiddlewaretoken": token}
    return visitor.request(
        site.instance,
        "POST",
        path,
        {
            "Origin": ORIGIN,
            "Referer": f"{ORIGIN}{path}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        urlencode(body).encode(),
    )


@pytest.fixture(scope="module")
def sent_at_once(site):
    """Every ballot, opinion and request, sent in the same instant: (kind, answer) each."""
    writes = [("ballot", session) for session in site.facts["sessions"]]
    for n in range(RESIDENTS):
        writes.append(("opinion", n))
        writes.append(("request", n))
    topic = site.facts["topics"]["lights"]["url"]
    start = threading.Barrier(len(writes), timeout=60)

    def send(write):
        kind, what = write
        start.wait()
        if kind == "ballot":
            return kind, ballot(site, what)
        resident = Visitor(f"203.0.113.{what + 1}")
        if kind == "opinion":
            return kind, resident.post(site.instance, topic, opinion_data(what))
        return kind, resident.post(site.instance, REQUEST_FORM, request_data(request=f"同时{what}"))

    mark = site.mark()
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(writes)) as pool:
        answers = list(pool.map(send, writes))
    took = time.monotonic() - began
    logger.info("%d writes at once in %.1f s", len(writes), took)
    return {"answers": answers, "took": took, "mark": mark}


def test_every_write_is_kept_and_none_fails(site, sent_at_once):
    answers = sent_at_once["answers"]
    log = site.log(since=sent_at_once["mark"])
    motion = site.facts["motion"]
    ballots = [answer for kind, answer in answers if kind == "ballot"]
    # Each representative sent back to the vote's page, their ballot recorded.
    assert [(a.status, a.location) for a in ballots] == [(302, f"/votes/{motion}/")] * VOTERS, (
        [a.status for a in ballots],
        log[-3000:],
    )
    # Each resident sent on to the reference of what they sent.
    for kind, prefix in (("opinion", "/opinions/"), ("request", "/duty/request/")):
        sent = [answer for sent, answer in answers if sent == kind]
        assert [a.status for a in sent] == [302] * RESIDENTS, (kind, log[-3000:])
        assert all(a.location.startswith(prefix) for a in sent), kind
    assert "database is locked" not in log
    assert "Traceback" not in log
    # Both processes wrote.
    assert len(site.workers_that_served("POST", since=sent_at_once["mark"])) == 2


def test_every_write_is_in_the_database(site, sent_at_once):
    motion = site.facts["motion"]
    for table in ("votes_ballot", "votes_ballotreceipt"):
        query = f"SELECT COUNT(*) FROM {table} WHERE motion_id = ?"  # noqa: S608 - ours
        assert site.query(query, (motion,)) == [(VOTERS,)]
    opinions = "SELECT COUNT(*) FROM opinions_opinion WHERE page_id = ?"
    assert site.query(opinions, (site.facts["topics"]["lights"]["id"],)) == [(RESIDENTS,)]
    requests = "SELECT COUNT(*) FROM duty_dutyrecord WHERE request LIKE '同时%'"
    assert site.query(requests) == [(RESIDENTS,)]
    # The site's connections switched the file to the write-ahead log (it stays so).
    assert site.query("PRAGMA journal_mode") == [("wal",)]
