"""A gunicorn worker killed (``kill -9``) while residents read and post opinions: the master
starts another in its place, only the request the killed worker was answering is lost, and
every opinion the site acknowledged is kept whole (its history row, the row's link in the
audit chain). ``make faults`` prints the same figures at a larger scale
(``benchmarks/faults.py worker``); PostgreSQL restarted under load is there only, as it would
break the other runs sharing the server."""

import os
import signal
import sqlite3
import threading
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections

from audit.models import AuditEntry
from opinions.models import Opinion
from tests.deploy.production import database_url
from tests.servers import finish, production_environment, serve, start_manage, stop

HOST = "127.0.0.1"
CLIENTS = 4
MARKER = "worker-killed"


def _to_a_file(tmp_path):
    """The address of a database gunicorn's processes can open, holding what this test made:
    on SQLite the in-memory test database copied to a file; on PostgreSQL the test database."""
    url = database_url(tmp_path)
    if url.startswith("sqlite:"):
        memory = connections["default"]
        memory.ensure_connection()
        target = sqlite3.connect(tmp_path / "shared.sqlite3")
        memory.connection.backup(target)
        target.close()
    return url


def _from_the_file(url, tmp_path):
    """What the site wrote, back in the test's own connection (on SQLite, the file copied into
    the in-memory database; on PostgreSQL it is there already)."""
    if url.startswith("sqlite:"):
        memory = connections["default"]
        memory.ensure_connection()
        source = sqlite3.connect(tmp_path / "shared.sqlite3")
        source.backup(memory.connection)
        source.close()


def _workers(master):
    """The master's children: its workers' pids."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                found.add(int(entry.name))
    return found


def _wait_for(condition, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"never: {what}")


class Residents:
    """``CLIENTS`` clients reading the topic and posting opinions on it, one request after
    another, each opinion from an address of its own (as the proxy in front reports it)."""

    def __init__(self, port, path):
        self.port = port
        self.path = path
        self.answers = []  # (kind, status or error, the opinion's reference)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.sent = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(CLIENTS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def run(self):
        while not self.stopping.is_set():
            with self.lock:
                self.sent += 1
                number = self.sent
            answer = self.post(number) if number % 3 == 0 else self.get()
            with self.lock:
                self.answers.append(answer)

    def request(self, method, body=None, headers=None):
        conn = HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request(
                method,
                self.path,
                body=body,
                headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})},
            )
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("Location", "")
        except OSError as error:
            return type(error).__name__, ""
        finally:
            conn.close()

    def get(self):
        status, _location = self.request("GET")
        return "read", status, ""

    def post(self, number):
        body = urlencode(
            {
                "author_name": "3号楼老李",
                "contact": "",
                "body": f"{MARKER} 第{number}条：建议晚上把小区门口的临时车位开放给居民。",
                "website": "",
            }
        )
        status, location = self.request(
            "POST",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{self.path}",
                "X-Forwarded-For": f"10.0.{number // 256 % 256}.{number % 256}",
            },
        )
        reference = ""
        if status == 302 and "?sent=1" in location:
            reference = location.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        return "write", status, reference

    def count(self):
        with self.lock:
            return len(self.answers)


# serialized_rollback: the data the migrations wrote is back for later tests after the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_under_load_is_replaced_and_loses_only_its_request(topic, tmp_path):
    url = _to_a_file(tmp_path)
    connection.close()
    env = production_environment(
        tmp_path,
        url,
        host=HOST,
        SECRET_KEY=settings.SECRET_KEY,
        # The topic read uncached: each read is the workers' own work.
        PAGE_CACHE_SECONDS="0",
    )
    # Production's cache table (the rate limits count in it), made while the site starts.
    making = start_manage(env, "createcachetable")
    # Two sync workers, forked from a master that loaded the site once (--preload): the one
    # started in place of the killed one answers as soon as it is forked.
    server = serve(
        env,
        tmp_path / "gunicorn.log",
        host=HOST,
        workers=2,
        options=[
            "--preload",
            "--access-logfile",
            "-",
            "--access-logformat",
            "answered-by %(p)s %(s)s",
        ],
    )
    master = server.process.pid
    try:
        finish(making, timeout=120)
        server.wait_until_healthy()
        before = _wait_for(lambda: len(_workers(master)) == 2 and _workers(master), "2")
        with Residents(server.port, topic.url) as residents:
            _wait_for(lambda: residents.count() >= 12, "the load under way")
            victim = min(before)
            os.kill(victim, signal.SIGKILL)
            killed_at = residents.count()
            (newcomer,) = _wait_for(lambda: _workers(master) - before, "a new worker")
            # The new worker answers requests of the load.
            _wait_for(
                lambda: f"answered-by <{newcomer}>" in server.log_path.read_text(errors="replace"),
                "the new worker answering",
            )
            _wait_for(lambda: residents.count() >= killed_at + 12, "more answers")
        answers = list(residents.answers)
    finally:
        stop(server.process)

    log = server.log_path.read_text(errors="replace")
    assert f"Worker (pid:{victim}) was sent SIGKILL" in log
    assert _workers(master) == set()
    failed = [answer for answer in answers if answer[1] not in (200, 302)]
    # A sync worker answers one request at a time: at most the one it had in hand is lost,
    # and as a lost connection, never an error page.
    assert len(failed) <= 1, failed
    assert all(isinstance(status, str) for _kind, status, _ref in failed), failed
    writes = [answer for answer in answers if answer[0] == "write"]
    acknowledged = {reference for _kind, status, reference in writes if status == 302}
    assert len(acknowledged) == sum(status == 302 for _kind, status, _ref in writes) > 0

    _from_the_file(url, tmp_path)
    kept = dict(Opinion.objects.filter(body__contains=MARKER).values_list("reference", "pk"))
    # Every acknowledged opinion kept; one the answer of which was lost may be kept too.
    assert acknowledged <= set(kept)
    assert len(kept) - len(acknowledged) <= len(failed)
    history = Opinion.history.model
    created = dict(
        history.objects.filter(id__in=kept.values(), history_type="+").values_list(
            "id", "history_id"
        )
    )
    assert set(created) == set(kept.values())
    source_type = ContentType.objects.get_for_model(history, for_concrete_model=False)
    chained = set(
        AuditEntry.objects.filter(
            source_type=source_type, source_id__in=created.values()
        ).values_list("source_id", flat=True)
    )
    assert chained == set(created.values())
    call_command("verify_audit", verbosity=0)
