"""Twenty representatives vote in the same instant on the site as it runs, gunicorn on the
embedded default (a SQLite file) with production's settings: every ballot is counted and nobody meets "database is
locked" (a server error). The settings begin each transaction with the write lock, let a
writer wait its turn (``timeout``) and keep readers and the writer apart (the write-ahead
log): ``DATABASES`` in ``cms/settings/base.py``."""

import http.client
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import psycopg
import pytest

from django.conf import settings
from django.db import connection, connections
from django.middleware.csrf import _get_new_csrf_string

from tests.deploy.production import database_url
from tests.servers import clean_environment, free_port, start_gunicorn, stop, wait_until_healthy
from tests.support import logged_in
from votes.models import MotionState

VOTERS = 20
HOST = "127.0.0.1"


def test_the_sqlite_settings():
    """The embedded default, as every settings module builds it (the tests' own database is
    in memory, where neither matters)."""
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in options
        return
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    commands = [c.strip() for c in options["init_command"].split(";") if c.strip()]
    assert commands == ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"]


def _to_a_file(tmp_path):
    """The address of a database the site's processes can open, holding what this test made:
    on SQLite the in-memory test database copied to a file; on PostgreSQL the test database."""
    url = database_url(tmp_path)
    if url.startswith("sqlite:"):
        memory = connections["default"]
        memory.ensure_connection()
        target = sqlite3.connect(tmp_path / "shared.sqlite3")
        memory.connection.backup(target)
        target.close()
    return url


def _count(url, tmp_path, table, motion_id):
    query = f"SELECT COUNT(*) FROM {table} WHERE motion_id = %s"  # noqa: S608 - names are ours
    if url.startswith("sqlite:"):
        with sqlite3.connect(tmp_path / "shared.sqlite3") as db:
            return db.execute(query.replace("%s", "?"), (motion_id,)).fetchone()[0]
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        return db.execute(query, (motion_id,)).fetchone()[0]


# serialized_rollback: the data the migrations wrote is back for later tests after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_ballots_at_once_on_the_running_site(make_rep, make_motion, tmp_path):
    people = [make_rep() for _ in range(VOTERS)]
    motion = make_motion(MotionState.OPEN)
    option = motion.options.order_by("sort_order").first().pk
    sessions = [
        logged_in(person.user).cookies[settings.SESSION_COOKIE_NAME].value for person in people
    ]
    url = _to_a_file(tmp_path)
    connection.close()

    port = free_port(HOST)
    log_path = tmp_path / "gunicorn.log"
    # Production's settings (its cache a table of the same database, its background work rows
    # of it), with static files served from the apps (no collectstatic), as tests/scale runs.
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="tests.scale.settings",
        # The tests' own: the sessions made here are signed with it.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=url,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    # Production's cache table (the tests' own cache is in memory, so it was never made),
    # while the site starts.
    making = subprocess.Popen(
        [sys.executable, "manage.py", "createcachetable"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Two processes of ten threads: twenty requests in the same instant, each its own
    # connection to the database, from two processes that share no lock but the file's.
    server = start_gunicorn(
        env, log_path, port=port, workers=2, options=["--threads", "10", "--preload"]
    )
    try:
        _out, errors = making.communicate(timeout=120)
        assert making.returncode == 0, errors
        wait_until_healthy(f"http://{HOST}:{port}", server, log_path)
        start = threading.Barrier(VOTERS, timeout=30)

        def vote(session):
            token = _get_new_csrf_string()
            body = urlencode({"option": option, "confirm": "1", "csrfmiddlewaretoken": token})
            start.wait()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            try:
                conn.request(
                    "POST",
                    f"/votes/{motion.pk}/",
                    body=body,
                    headers={
                        "Host": HOST,
                        # TLS ended at the proxy, as production expects.
                        "X-Forwarded-Proto": "https",
                        "Origin": f"https://{HOST}",
                        "Referer": f"https://{HOST}/votes/{motion.pk}/",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; "
                        f"{settings.CSRF_COOKIE_NAME}={token}",
                    },
                )
                response = conn.getresponse()
                response.read()
                return response.status, response.getheader("Location", "")
            finally:
                conn.close()

        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            statuses = list(pool.map(vote, sessions))
        took = time.monotonic() - began
    finally:
        stop(server)

    log = log_path.read_text(errors="replace")
    # Each sent back to the vote's page, its ballot recorded.
    assert statuses == [(302, f"/votes/{motion.pk}/")] * VOTERS, (statuses, log[-3000:])
    assert "database is locked" not in log
    assert _count(url, tmp_path, "votes_ballot", motion.pk) == VOTERS
    assert _count(url, tmp_path, "votes_ballotreceipt", motion.pk) == VOTERS
    assert took < 20, f"twenty ballots took {took:.1f} s"
    if url.startswith("sqlite:"):
        # The site's connections switched the file to the write-ahead log (it stays so).
        with sqlite3.connect(tmp_path / "shared.sqlite3") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
