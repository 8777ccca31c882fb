"""Faults: what the site does under load when something beneath it fails, in figures.

Three faults, each on a site of its own in a temporary folder (``tests.scale.settings``: the
production settings, static files served from the apps instead of a ``collectstatic`` run):

- ``worker``: a gunicorn worker killed (``kill -9``) under load. A throwaway SQLite file,
  migrated and seeded (``seed_demo --public-only``), two sync workers, a few threads reading an
  uncached page and posting opinions. Prints the requests and the failed ones, how long the
  master took to start a new worker, and whether every acknowledged opinion was kept whole
  (its history row, its link in the audit chain; ``verify_audit``).
- ``media``: the media storage full. ``MEDIA_ROOT`` on a tiny tmpfs (``mount -t tmpfs``; as
  root), images and documents uploaded through the admin as an editor (the single and the
  multiple upload, the choosers' upload tab) until the storage refuses them. Prints what each
  refusal answered and the rows left without their file (must be 0). Without the right to
  mount, a storage that refuses every file (``ENOSPC``) stands in.
- ``postgres``: PostgreSQL restarted under load (``pg_ctlcluster <version> main restart``).
  A new database on the local server (``--pg-url``), migrated, seeded, dropped at the end; the
  load of ``worker``; the restart in the middle. Prints the errors before, during and after
  the outage, the outage as the clients saw it, the seconds to the first answer once the server
  is back, and whether any write was left half done. It restarts the server every database on
  it shares: it waits until no other ``test_*`` or ``cms_*`` database is in use (up to
  ``--wait-minutes``), and only runs when named.

    make faults                        # worker, media
    make faults FAULTS=postgres        # restarts the local PostgreSQL
    .venv/bin/python benchmarks/faults.py worker --seconds 20

It prints figures; it stops with a non-zero status only when a promise is broken (a write
acknowledged and lost, a half-written record, a server error for a full storage, an orphan
row), or, with ``--strict``, when a fault could not be caused at all.
"""

import argparse
import errno
import io
import json
import logging
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import pages
from harness import PROJECT_ROOT, say

PYTHON = sys.executable
HOST = "127.0.0.1"
SETTINGS = "tests.scale.settings"
# A demo topic that takes opinions, and a page to read uncached.
WRITE_PATH = "/blog/parking-2026/"
READ_PATH = "/blog/"
FAULTS = ("worker", "media", "postgres")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("faults", nargs="*", help="worker, media, postgres (worker media)")
    parser.add_argument("--threads", type=int, default=4, help="clients sending requests (4)")
    parser.add_argument(
        "--seconds", type=float, default=12, help="seconds of load around the fault (12)"
    )
    parser.add_argument(
        "--writes", type=float, default=0.3, help="share of the requests that are writes (0.3)"
    )
    parser.add_argument("--port", type=int, default=8761, help="the site's port (8761)")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server to restart (a database is made on it and dropped)",
    )
    parser.add_argument(
        "--wait-minutes",
        type=float,
        default=40,
        help="how long to wait for other test databases to go quiet before a restart (40)",
    )
    parser.add_argument(
        "--media-kb", type=int, default=512, help="size of the tmpfs for media, KiB (512)"
    )
    parser.add_argument(
        "--sqlite-from",
        type=Path,
        default=None,
        help="start from a copy of this migrated and seeded SQLite file (quicker reruns)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail when a fault could not be caused"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not args.faults:
        args.faults = ["worker", "media"]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"no such fault: {', '.join(sorted(unknown))} (choose from {FAULTS})")
    return args


class Skipped(Exception):
    """The fault could not be caused here (no right to restart the server, say)."""


# --- A site of its own ---------------------------------------------------------------------


class Site:
    """A temporary folder, the environment of a production site in it, its database."""

    def __init__(self, name, args, database_url=None, media_root=None):
        self.args = args
        self.tempdir = Path(tempfile.mkdtemp(prefix=f"cms-faults-{name}-"))
        self.env = pages.environment(self.tempdir)
        self.env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            # The load comes through "the proxy": each client its own address, so that the
            # opinion form's limit per address (5 in 10 minutes) counts each one apart.
            TRUSTED_PROXIES=HOST,
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if media_root:
            self.env["MEDIA_ROOT"] = str(media_root)
        self.server = None

    def prepare(self, *, seed=True):
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite:") and self.args.sqlite_from:
            shutil.copy(self.args.sqlite_from, url.removeprefix("sqlite:///"))
            say(f"  database copied from {self.args.sqlite_from}")
            return
        pages.manage(self.env, "migrate", "--noinput", "--verbosity", "0")
        pages.manage(self.env, "createcachetable")
        if seed:
            pages.manage(self.env, "seed_demo", "--public-only", "--force", "--verbosity", "0")

    def serve(self, workers=2):
        self.server = Server(self.env, self.args.port, workers, self.tempdir / "gunicorn.log")
        return self.server

    def verify_audit(self):
        done = subprocess.run(
            [PYTHON, "manage.py", "verify_audit"],
            cwd=PROJECT_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        text = (done.stdout + done.stderr).strip().splitlines()
        return done.returncode, (text[-1] if text else "")

    def close(self):
        if self.server is not None:
            self.server.stop()
        if self.args.keep:
            say(f"\nkept {self.tempdir}")
        else:
            shutil.rmtree(self.tempdir, ignore_errors=True)


class Server(pages.Server):
    """The benchmark's gunicorn (sync workers, the page cache off), its access log naming the
    worker that answered each request: ``<pid> <status> <request line>``."""

    def __init__(self, env, port, workers, log):
        super().__init__(
            "faults",
            env,
            port,
            workers,
            0,
            log,
            options=[
                "--access-logfile",
                "-",
                "--access-logformat",
                "answered-by %(p)s %(s)s %(r)s",
            ],
        )

    def has_answered(self, pid):
        """Whether the worker ``pid`` has answered a request (the access log says so)."""
        return f"answered-by <{pid}>" in self.log.read_text(errors="replace")


def set_up_django(env):
    """Django in this process, on the site's database (to count what was kept)."""
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


# --- The load ------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    started: float
    ended: float
    status: int | None
    error: str = ""
    reference: str = ""

    @property
    def ok(self):
        return self.status is not None and self.status < 500 and self.status != 429

    @property
    def label(self):
        return str(self.status) if self.status is not None else self.error


class Load:
    """``threads`` clients, each sending one request after another until stopped: reads of an
    uncached page and, ``writes`` of the time, an opinion posted from an address of its own."""

    def __init__(self, port, threads, writes, marker):
        self.port = port
        self.threads = threads
        self.writes = writes
        self.marker = marker
        self.outcomes = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.workers = []

    def start(self):
        for n in range(self.threads):
            worker = threading.Thread(target=self.run, args=(n,), daemon=True)
            worker.start()
            self.workers.append(worker)

    def stop(self):
        self.stopping.set()
        for worker in self.workers:
            worker.join(timeout=60)

    def run(self, n):
        chance = random.Random(n)
        while not self.stopping.is_set():
            outcome = self.write() if chance.random() < self.writes else self.read()
            with self.lock:
                self.outcomes.append(outcome)
            if not outcome.ok:
                # A client that met an error waits a moment, as a person would.
                time.sleep(0.05)

    def request(self, kind, method, path, body=None, headers=None):
        started = time.monotonic()
        connection = HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(
                method,
                path,
                body=body,
                headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})},
            )
            response = connection.getresponse()
            response.read()
            location = response.getheader("Location", "")
            return Outcome(kind, started, time.monotonic(), response.status, reference=location)
        except OSError as error:
            return Outcome(kind, started, time.monotonic(), None, error=type(error).__name__)
        except Exception as error:  # noqa: BLE001 - every failure is a figure
            return Outcome(kind, started, time.monotonic(), None, error=type(error).__name__)
        finally:
            connection.close()

    def read(self):
        return self.request("read", "GET", READ_PATH)

    def write(self):
        with self.lock:
            self.sent += 1
            number = self.sent
        body = urllib.parse.urlencode(
            {
                "author_name": "3号楼老李",
                "contact": "",
                "body": f"{self.marker} 第{number}条：建议晚上把小区门口的临时车位开放给居民。",
                "website": "",
            }
        )
        outcome = self.request(
            "write",
            "POST",
            WRITE_PATH,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{WRITE_PATH}",
                # Each opinion from an address of its own (10.x.y.z), as residents are.
                "X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}."
                f"{number % 256}",
            },
        )
        if outcome.status == 302 and "?sent=1" in outcome.reference:
            # The opinion's status page: /opinions/<reference>/?sent=1
            outcome.reference = outcome.reference.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        else:
            outcome.reference = ""
        return outcome


def writes_kept(marker, acknowledged):
    """What the database holds of the load's opinions: every acknowledged one kept, each whole
    (its history row, the row's link in the audit chain)."""
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry
    from opinions.models import Opinion

    kept = dict(Opinion.objects.filter(body__contains=marker).values_list("reference", "pk"))
    history = Opinion.history.model
    created = dict(
        history.objects.filter(id__in=kept.values(), history_type="+").values_list(
            "id", "history_id"
        )
    )
    source_type = ContentType.objects.get_for_model(history, for_concrete_model=False)
    chained = set(
        AuditEntry.objects.filter(
            source_type=source_type, source_id__in=created.values()
        ).values_list("source_id", flat=True)
    )
    return {
        "kept": len(kept),
        "acknowledged and lost": len(set(acknowledged) - set(kept)),
        "kept, answer lost": len(set(kept) - set(acknowledged)),
        "opinion without history row": len(set(kept.values()) - set(created)),
        "history row without chain entry": len(set(created.values()) - chained),
    }


def start_load(args):
    """The load (``Load``) under way against the site, its opinions marked as this run's."""
    load = Load(args.port, args.threads, args.writes, f"faults-{secrets.token_hex(4)}")
    load.start()
    return load


def stop_and_count(load, server, site):
    """The load and the site stopped, what the database kept of the load's writes: the
    outcomes, the table's rows on the writes (``writes_kept``, ``verify_audit``), and whether a
    write acknowledged was lost or one kept was left half done."""
    load.stop()
    server.stop()
    set_up_django(site.env)
    outcomes = load.outcomes
    acknowledged = [o.reference for o in outcomes if o.kind == "write" and o.reference]
    kept = writes_kept(load.marker, acknowledged)
    audit_status, audit_line = site.verify_audit()
    rows = [
        ("writes sent", sum(o.kind == "write" for o in outcomes)),
        ("writes acknowledged (302)", len(acknowledged)),
        *kept.items(),
        ("verify_audit", f"exit {audit_status}: {audit_line}"),
    ]
    lost = bool(
        kept["acknowledged and lost"]
        or kept["opinion without history row"]
        or kept["history row without chain entry"]
        or audit_status
    )
    return outcomes, rows, lost


def by_status(outcomes):
    counts = Counter(outcome.label for outcome in outcomes)
    return ", ".join(f"{label}: {count}" for label, count in sorted(counts.items())) or "-"


def table(rows, width=44):
    for label, value in rows:
        say(f"  {pages.harness.pad(label, width)} {value}")


# --- A worker killed -----------------------------------------------------------------------


def worker_killed(args):
    say("\n== A gunicorn worker killed (kill -9) under load ==")
    site = Site("worker", args)
    try:
        site.prepare()
        server = site.serve(workers=2)
        pages.warm(server, READ_PATH)
        before = server.workers()
        load = start_load(args)
        began = time.monotonic()
        time.sleep(args.seconds / 3)
        victim = before[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced_after = None
        while time.monotonic() - killed_at < 60:
            now = server.workers()
            new = set(now) - set(before)
            if new and victim not in now:
                replaced_after = time.monotonic() - killed_at
                newcomer = min(new)
                break
            time.sleep(0.005)
        ready_after = _until_it_answers(server, newcomer, killed_at) if replaced_after else None
        time.sleep(max(0.0, began + args.seconds - time.monotonic()))
        outcomes, written, lost = stop_and_count(load, server, site)
        failed = [o for o in outcomes if not o.ok]
        say(
            f"\n{args.threads} clients for {args.seconds:.0f} s, "
            f"{args.writes:.0%} writes; worker {victim} killed at {killed_at - began:.1f} s"
        )
        table(
            [
                ("requests", len(outcomes)),
                ("failed (status or error)", f"{len(failed)} ({by_status(failed)})"),
                (
                    "failed after the kill, by when",
                    ", ".join(f"+{o.ended - killed_at:.2f} s" for o in failed) or "-",
                ),
                (
                    "new worker's pid appeared after",
                    "never" if replaced_after is None else f"{replaced_after:.3f} s",
                ),
                (
                    "new worker answering after",
                    "-" if ready_after is None else f"{ready_after:.1f} s",
                ),
                *written,
            ]
        )
        return 1 if lost or replaced_after is None else 0
    finally:
        site.close()


def _until_it_answers(server, pid, since):
    """Seconds from ``since`` until the worker ``pid`` has answered a request (up to 60 s)."""
    while time.monotonic() - since < 60:
        if server.has_answered(pid):
            return time.monotonic() - since
        time.sleep(0.02)
    return None


# --- Media storage full --------------------------------------------------------------------


def media_full(args):
    say("\n== Media storage full ==")
    site = Site("media", args)
    mount = site.tempdir / "media"
    mount.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={args.media_kb}k", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
        ).returncode
        == 0
    )
    site.env["MEDIA_ROOT"] = str(mount)
    try:
        site.prepare(seed=False)
        set_up_django(site.env)
        # The site logs each refused file for its administrator: not this table's business.
        for name in ("core.errors", "django.request"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        if mounted:
            say(f"  MEDIA_ROOT: a tmpfs of {args.media_kb} KiB")
            figures = _upload_until_full(mount, storage=None)
        else:
            say("  cannot mount a tmpfs here: a storage that refuses every file stands in")
            figures = _upload_until_full(mount, storage="faults.FullStorage")
        tried, refused, refusals, orphans, extra = figures
        say()
        table(
            [
                ("uploads tried", tried),
                ("uploads refused", refused),
                *[(f"  first refused: {what}", answer) for what, answer in refusals],
                *orphans.items(),
                *extra.items(),
            ],
            width=48,
        )
        broken = any(orphans.values()) or any(" 500" in answer for _, answer in refusals)
        return 1 if broken else 0
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)
        site.close()


def full_storage_class():
    from django.core.files.storage import FileSystemStorage

    class FullStorage(FileSystemStorage):
        """A storage with no room left: every file refused as a full disk refuses it."""

        def _save(self, name, content):
            raise OSError(errno.ENOSPC, "No space left on device", name)

    return FullStorage


def __getattr__(name):
    # ``faults.FullStorage`` for STORAGES, built once Django is set up.
    if name == "FullStorage":
        return full_storage_class()
    raise AttributeError(name)


def _noise_png(kib):
    from PIL import Image as PillowImage

    side = int((kib * 1024 / 3) ** 0.5)
    image = PillowImage.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _upload_until_full(media_root, storage):
    """Uploads through the admin, as an editor, until the storage has refused each kind of
    upload twice; what each refusal answered, and the rows and files left behind."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from django.urls import reverse

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.models import Rendition
    from wagtail.models import Collection, UploadedFile

    from core import roles
    from people.factories import UserFactory

    sys.path.insert(0, str(Path(__file__).parent))
    overrides = {}
    if storage:
        overrides["STORAGES"] = {
            "default": {"BACKEND": storage},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    editor = UserFactory(username=f"faults-editor-{secrets.token_hex(3)}", groups=[roles.EDITORS])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(editor)
    client.raise_request_exception = False
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}

    def image(n):
        return SimpleUploadedFile(f"photo-{n}.png", _noise_png(90), content_type="image/png")

    def document(n):
        text = "".join(random.choices("abcdefghijklmnopqrstuvwxyz \n", k=90 * 1024))
        return SimpleUploadedFile(f"leaflet-{n}.txt", text.encode(), content_type="text/plain")

    uploads = [
        ("image, single form", "wagtailimages:add", "title", "file", image, {}),
        ("image, multiple upload", "wagtailimages:add_multiple", "title", "files[]", image, xhr),
        (
            "image, chooser's upload tab",
            "wagtailimages_chooser:create",
            "image-chooser-upload-title",
            "image-chooser-upload-file",
            image,
            xhr,
        ),
        ("document, single form", "wagtaildocs:add", "title", "file", document, {}),
        (
            "document, multiple upload",
            "wagtaildocs:add_multiple",
            "title",
            "files[]",
            document,
            xhr,
        ),
        (
            "document, chooser's upload tab",
            "wagtaildocs_chooser:create",
            "document-chooser-upload-title",
            "document-chooser-upload-file",
            document,
            xhr,
        ),
    ]
    root = Collection.get_first_root_node().pk
    models = {
        "images": get_image_model(),
        "documents": get_document_model(),
        "renditions": Rendition,
        "uploads waiting (Wagtail's UploadedFile)": UploadedFile,
    }
    # Only what this run makes is counted (a database copied with --sqlite-from holds more).
    first = {
        name: (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for name, model in models.items()
    }
    tried = 0
    refusals = []
    refused_kinds = Counter()
    with override_settings(**overrides):
        n = 0
        while min(refused_kinds[what] for what, *_ in uploads) < 2 and tried < 200:
            for what, view, title, field, make, headers in uploads:
                n += 1
                tried += 1
                collection = title.replace("title", "collection")
                data = {title: f"停水通知 {n}", collection: root, field: make(n)}
                response = client.post(reverse(view), data, secure=True, **headers)
                answer = _answer(response)
                if answer is not None:
                    refused_kinds[what] += 1
                    if refused_kinds[what] <= 1:
                        refusals.append((what, answer))
        listing = client.get(reverse("wagtailimages:index"), secure=True)
        made = {
            name: list(model.objects.filter(pk__gt=first[name])) for name, model in models.items()
        }
        orphans = {
            f"{name} without their file": sum(
                not default_storage.exists(row.file.name) for row in rows
            )
            for name, rows in made.items()
        }
        known = {row.file.name for rows in made.values() for row in rows}
        on_disk = [
            path.relative_to(media_root).as_posix()
            for path in Path(media_root).rglob("*")
            if path.is_file()
        ]
        strays = [name for name in on_disk if name not in known]
        stray_bytes = sum((Path(media_root) / name).stat().st_size for name in strays)
        extra = {
            "kept: " + ", ".join(made): ", ".join(str(len(rows)) for rows in made.values()),
            "files with no row (partly written)": f"{len(strays)} ({stray_bytes // 1024} KiB)",
            "the image listing, storage full": str(listing.status_code),
        }
    return tried, sum(refused_kinds.values()), refusals, orphans, extra


def _answer(response):
    """None for an upload that was kept; otherwise the status and what it said."""
    status = response.status_code
    if status == 200 and response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(response.content)
        if data.get("success", True) and data.get("step") != "reshow_creation_form":
            return None
        return f"{status} JSON: {data.get('error_message', data.get('step', ''))[:90]}"
    if status == 302:
        from django.contrib.messages import get_messages

        shown = [str(m) for m in get_messages(response.wsgi_request)]
        errors = [m for m in shown if "not saved" in m or "full" in m]
        if not errors:
            return None
        return f"302 back to the form, message: {errors[0][:80]}"
    body = response.content.decode(errors="replace")
    if status == 507:
        return (
            f"507: {json.loads(body)['error_message'][:80] if body.startswith('{') else body[:80]}"
        )
    return f"{status}: {body[:80]!r}"


# --- PostgreSQL restarted ------------------------------------------------------------------


def postgres_restarted(args):
    say("\n== PostgreSQL restarted under load ==")
    import psycopg

    server_url = args.pg_url.rstrip("/")
    conninfo = server_url.replace("postgres://", "postgresql://", 1) + "/postgres"
    version = _postgres_version()
    if version is None or shutil.which("pg_ctlcluster") is None:
        raise Skipped("cannot restart: no cluster under /etc/postgresql, or no pg_ctlcluster")
    name = f"cms_faults_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    site = Site("postgres", args, database_url=f"{server_url}/{name}")
    try:
        site.prepare()
        server = site.serve(workers=2)
        pages.warm(server, READ_PATH)
        _wait_until_quiet(conninfo, name, args.wait_minutes)
        load = start_load(args)
        began = time.monotonic()
        time.sleep(args.seconds / 3)
        restart_at = time.monotonic()
        restarted = subprocess.run(
            ["pg_ctlcluster", version, "main", "restart"], capture_output=True, text=True
        )
        back_at = _until_postgres_answers(conninfo, since=restart_at)
        if restarted.returncode != 0:
            load.stop()
            raise Skipped(f"cannot restart: {restarted.stderr.strip()[:200]}")
        time.sleep(max(0.0, began + args.seconds - time.monotonic(), 10))
        outcomes, written, lost = stop_and_count(load, server, site)
        say(
            f"\n{args.threads} clients, {args.writes:.0%} writes; PostgreSQL {version} restarted "
            f"at {restart_at - began:.1f} s (pg_ctlcluster took {back_at - restart_at:.1f} s "
            "until the server answered again)"
        )
        table(_outage_rows(outcomes, restart_at, back_at) + written)
        after = [o for o in outcomes if o.started >= back_at + 5]
        return 1 if lost or any(not o.ok for o in after) else 0
    finally:
        site.close()
        if "django" in sys.modules and getattr(sys.modules["django"], "apps", None):
            from django.db import connections

            connections.close_all()
        with psycopg.connect(conninfo, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _outage_rows(outcomes, restart_at, back_at):
    before = [o for o in outcomes if o.ended < restart_at]
    during = [o for o in outcomes if o.ended >= restart_at and o.started < back_at]
    after = [o for o in outcomes if o.started >= back_at]
    failed = [o for o in outcomes if not o.ok]
    first_after = min((o.ended for o in after if o.ok), default=None)
    if failed:
        last_ok_before = max(
            (o.ended for o in outcomes if o.ok and o.ended <= failed[0].started), default=None
        )
        first_ok_after = min(
            (o.ended for o in outcomes if o.ok and o.started >= max(f.ended for f in failed)),
            default=None,
        )
        seen = (
            f"{first_ok_after - last_ok_before:.2f} s (last answer before the first error to "
            "the first answer after the last)"
            if last_ok_before is not None and first_ok_after is not None
            else "-"
        )
    else:
        seen = "0 s: no client met an error"
    late = [o for o in after if not o.ok and o.started >= back_at + 5]
    return [
        ("requests", len(outcomes)),
        ("before the restart: failed", f"{sum(not o.ok for o in before)} of {len(before)}"),
        (
            "during: failed, by status",
            f"{sum(not o.ok for o in during)} of {len(during)} "
            f"({by_status([o for o in during if not o.ok])})",
        ),
        (
            "after the server is back: failed",
            f"{sum(not o.ok for o in after)} of {len(after)} "
            f"({by_status([o for o in after if not o.ok])})",
        ),
        ("outage as the clients saw it", seen),
        (
            "first answer after the server is back",
            "-" if first_after is None else f"{first_after - back_at:.2f} s",
        ),
        ("errors from 5 s after the server is back", len(late)),
    ]


def _postgres_version():
    versions = (
        sorted(
            (p.name for p in Path("/etc/postgresql").glob("*") if (p / "main").is_dir()),
            key=lambda v: [int(x) for x in v.split(".") if x.isdigit()],
        )
        if Path("/etc/postgresql").is_dir()
        else []
    )
    return versions[-1] if versions else None


def _until_postgres_answers(conninfo, since):
    import psycopg

    while time.monotonic() - since < 120:
        try:
            with psycopg.connect(conninfo, connect_timeout=2) as db:
                db.execute("SELECT 1")
            return time.monotonic()
        except psycopg.Error:
            time.sleep(0.05)
    return time.monotonic()


def _wait_until_quiet(conninfo, ours, minutes):
    """Until no other test database (``test_*``, ``cms_*``) has a connection: a restart would
    break the run using it. Polled every 30 s, up to ``minutes``."""
    import psycopg

    deadline = time.monotonic() + minutes * 60
    while True:
        with psycopg.connect(conninfo, autocommit=True) as db:
            busy = db.execute(
                "SELECT datname, count(*) FROM pg_stat_activity "
                "WHERE (datname LIKE 'test_%%' OR datname LIKE 'cms_%%') AND datname <> %s "
                "GROUP BY datname",
                (ours,),
            ).fetchall()
        if not busy:
            return
        if time.monotonic() > deadline:
            raise Skipped(f"cannot restart: other databases stayed in use ({busy})")
        say(f"  waiting: other databases in use {busy}")
        time.sleep(30)


# --- The run -------------------------------------------------------------------------------

RUNS = {"worker": worker_killed, "media": media_full, "postgres": postgres_restarted}


def main():
    args = parse_args()
    if len(args.faults) > 1:
        # Each fault in a process of its own: Django is set up once per process, on one site.
        status = 0
        for fault in args.faults:
            command = [PYTHON, __file__, fault, *_passed_on()]
            status = max(status, subprocess.run(command, cwd=PROJECT_ROOT).returncode)
        return status
    (fault,) = args.faults
    started = time.monotonic()
    try:
        status = RUNS[fault](args)
    except Skipped as skipped:
        say(f"skipped: {skipped}")
        status = 2 if args.strict else 0
    say(f"\n{fault}: {time.monotonic() - started:.0f} s")
    return status


def _passed_on():
    arguments = sys.argv[1:]
    return [a for a in arguments if a not in FAULTS]


if __name__ == "__main__":
    sys.exit(main())
