"""One ballot per person however many times the form is sent at once (a double click, a
phone resending), and never a server error: every post is either the ballot or "you have
already voted". On SQLite and on PostgreSQL, each request in its own thread and connection.
"""

import contextlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import translation

from tests.support import logged_in
from votes.models import Ballot, BallotReceipt, MotionState
from votes.services import ALREADY_VOTED

from .conftest import ENGLISH, options

POSTS = 16
SESSION = settings.SESSION_COOKIE_NAME


@contextlib.contextmanager
def shared_database(directory):
    """The test database as the site's threads share it.

    PostgreSQL: as it is. SQLite: the suite's in-memory database is copied to a file, which
    every thread (and this one) opens for the length of the block, as the site opens
    ``db.sqlite3``: an in-memory database shared between threads locks whole tables and
    answers "locked" at once, which the site never meets. The in-memory one is left as it
    was.
    """
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():
        yield
        return
    memory.ensure_connection()
    path = directory / "shared.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    file_database = connections.create_connection("default")
    connections["default"] = file_database
    try:
        yield
    finally:
        file_database.close()
        connections["default"] = memory
        connections.settings["default"] = original


def all_at_once(work, count):
    """Run ``work()`` ``count`` times, each in its own thread and database connection, all
    released together. Returns what each returned or raised."""
    start = threading.Barrier(count, timeout=30)

    def run():
        try:
            start.wait()
            return work()
        except Exception as error:  # noqa: BLE001 - each outcome is inspected by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run) for _ in range(count)]
        return [future.result(timeout=120) for future in futures]


# serialized_rollback: the data the migrations wrote (the site, the roles) is back for later
# tests once this one flushes the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("secret", [False, True], ids=["named", "secret"])
def test_many_posts_for_one_person_at_once(secret, make_rep, make_motion, tmp_path):
    person = make_rep()
    motion = make_motion(MotionState.OPEN, secret=secret)
    choices = [option.pk for option in options(motion)]
    cookies = logged_in(person.user).cookies
    with translation.override("en"):
        already_voted = str(ALREADY_VOTED)

    with shared_database(tmp_path):
        posted = iter(range(POSTS))
        lock = threading.Lock()

        def post():
            with lock:
                number = next(posted)
            client = Client()
            client.cookies = SimpleCookie({SESSION: cookies[SESSION].value})
            return client.post(
                f"/votes/{motion.pk}/",
                {"option": choices[number % len(choices)], "confirm": "1"},
                **ENGLISH,
            )

        responses = all_at_once(post, POSTS)

        errors = [r for r in responses if isinstance(r, Exception)]
        assert errors == []
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [302] + [409] * (POSTS - 1)
        for response in responses:
            if response.status_code == 409:
                page = BeautifulSoup(response.content.decode(), "html.parser")
                assert page.select_one("[role=alert]").get_text(strip=True) == already_voted
        assert Ballot.objects.filter(motion=motion).count() == 1
        assert BallotReceipt.objects.filter(motion=motion, person=person).count() == 1
