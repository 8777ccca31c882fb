"""The site as production runs it on the embedded default, for the tests that send it many
requests at once (``test_abuse_burst``, ``test_simultaneous_writes``; one site for both, the
``running_site`` fixture of ``conftest.py``): gunicorn (``tests.servers``) with production's
settings, two worker processes of ten threads each, on a SQLite file whose cache is a table of
the same file (no Redis), behind one trusted proxy (this machine) that sends each visitor's
address in ``X-Forwarded-For``.

The file starts as a copy of the suite's migrated test database (on PostgreSQL, where there
is none to copy, it is migrated anew) and is given what the tests need (``SEED``) by a
``manage.py shell`` run with the site's own environment, while the site starts. The site's log
holds one line per request naming the worker process that served it.
"""

import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.scale.client import HOST, Instance
from tests.servers import (
    copy_migrated,
    manage,
    printed_json,
    production_environment,
    serve,
    start_shell,
    stop,
)

WORKERS = 2
THREADS = 10
VOTERS = 20
# gunicorn's access log, one line a request: the worker's pid, the status, the method and path.
ACCESS_LINE = "served pid=%(p)s status=%(s)s %(m)s %(U)s"
_SERVED = re.compile(r"^served pid=<(\d+)> status=(\d+) (\S+) (\S+)$", re.MULTILINE)

# Production's cache table (the suite's own cache is in memory, so the copied database has
# none); a topic for the burst of one client and one for the residents writing at once; twenty
# representatives with a session each (signed in as ``tests.support.logged_in`` does) and an
# open motion. Made without passwords: production's hasher would take seconds for twenty, and
# nobody logs in with one here. Prints what it made, one line of JSON: ``RunningSite.facts``.
SEED = f"""
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from core import roles
from core.transitions import perform
from people.factories import PersonFactory
from votes.factories import MotionFactory

call_command("createcachetable")
topics = {{
    slug: BlogPageFactory(kind=BlogKind.TOPIC, title=title, slug=slug)
    for slug, title in (("parking", "小区停车难，大家怎么看？"), ("lights", "楼道照明怎么改？"))
}}
User = get_user_model()
sessions = []
for n in range({VOTERS}):
    user = User.objects.create_user(f"rep{{n}}", f"rep{{n}}@community.invalid", None)
    user.groups.add(Group.objects.get(name=roles.REPRESENTATIVES))
    PersonFactory(user=user, is_representative=True)
    client = Client()
    client.force_login(user)
    sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
clerk = User.objects.create_user("clerk", "clerk@community.invalid", None)
clerk.groups.add(Group.objects.get(name=roles.MEETING_CLERKS))
motion = MotionFactory()
perform(motion, "open", clerk)
print(json.dumps({{
    "topics": {{slug: {{"url": page.url, "id": page.pk}} for slug, page in topics.items()}},
    "sessions": sessions,
    "cookies": [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME],
    "motion": motion.pk,
    "option": motion.options.order_by("sort_order").first().pk,
    "limits": settings.PUBLIC_FORM_RATE_LIMITS,
}}))
"""


@dataclass
class RunningSite:
    instance: Instance
    process: subprocess.Popen
    log_path: Path
    database: Path
    # What the seed printed.
    facts: dict

    def log(self, since=0):
        """The site's log (from the mark ``since``, a ``mark()`` taken earlier)."""
        return self.log_path.read_text(errors="replace")[since:]

    def mark(self):
        """Where the log is now: what the site logs from here on is ``log(since=mark)``."""
        return len(self.log())

    def served(self, since=0):
        """(pid, status, method, path) of every request served (since the mark)."""
        return [
            (int(pid), int(status), method, path)
            for pid, status, method, path in _SERVED.findall(self.log(since))
        ]

    def workers_that_served(self, method="POST", since=0):
        """How many requests (of ``method``) each worker process served: {pid: count}."""
        return Counter(pid for pid, _status, verb, _path in self.served(since) if verb == method)

    def query(self, sql, params=()):
        with sqlite3.connect(self.database) as db:
            return db.execute(sql, params).fetchall()


def _migrated_file(path, env):
    """Make ``path`` a migrated database: a copy of the suite's as migrated (on SQLite)."""
    if not copy_migrated(path):
        manage(env, "migrate", "--no-input", "-v", "0", timeout=600)


@contextmanager
def running_site(django_db_blocker):
    """The site, running, seeded with ``SEED``."""
    workdir = Path(tempfile.mkdtemp(prefix="cms-site-"))
    database = workdir / "site.sqlite3"
    env = production_environment(
        workdir, f"sqlite:///{database}", host=HOST, SECRET_KEY=settings.SECRET_KEY
    )
    with django_db_blocker.unblock():
        _migrated_file(database, env)
    seeding = start_shell(env, SEED)
    # The threads of a worker take requests at the same time, each with its own connection to
    # the file; the two workers share nothing but the file (and the cache table in it).
    server = serve(
        env,
        workdir / "gunicorn.log",
        host=HOST,
        workers=WORKERS,
        options=[
            "--threads",
            str(THREADS),
            "--preload",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LINE,
        ],
    )
    try:
        facts = printed_json(seeding)
        server.wait_until_healthy()
        yield RunningSite(
            Instance("site", server.port), server.process, server.log_path, database, facts
        )
    finally:
        stop(server.process)
        shutil.rmtree(workdir, ignore_errors=True)
