"""What residents' pages cost when many read at once, cached and uncached, next to a static file.

In one run on one machine: seeds a database at ten times the demo (``seed_demo --scale 10``),
serves it with the production settings under gunicorn (two sync workers, the production cache:
Django's database cache table without ``REDIS_URL``, Redis with it), twice: once with the page
cache (``PAGE_CACHE_SECONDS=300``, each page warmed first) and once without
(``PAGE_CACHE_SECONDS=0``). Then loads each public page with wrk (``-t2 -c16 --latency``) and
prints, for each: requests per second, p50 and p99 latency, the workers' CPU milliseconds per
request, the queries it runs cold (counted once in this process with Django's test client, on
the same database) and its bytes; each rate also as a ratio of the same server's rate for a
static file. Then the workers' peak memory, and the headline figures of the big-table
benchmarks (the count of 10,000 ballots, the duty record book over 100,000 records, the
history centre over a million rows), each run on its own throwaway SQLite database.

It prints figures only: it never fails because something is slow. The table is written to
``benchmarks/results/pages-<date>.md`` too.

    make bench                              # at --scale 10, and at 1 to compare (--compare-scale)
    make bench BENCH_QUICK=1                # smaller big tables, 5 s per address
    .venv/bin/python benchmarks/pages.py --duration 5 --no-big

With DATABASE_URL the site is seeded in that database (``seed_demo`` adds only what is
missing); the big-table benchmarks still each take a throwaway SQLite file.
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import harness
from harness import PROJECT_ROOT, say

RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
# TLS ends at a proxy in production: without this header SECURE_SSL_REDIRECT redirects.
PROXY_HEADER = ("X-Forwarded-Proto", "https")
SEARCH_WORD = "居民"
# The background worker of production (django-tasks-db), run until the queue is empty.
WORKER_BATCH = (
    "db_worker",
    "--batch",
    "--no-startup-delay",
    "--queue-name",
    "*",
    "--verbosity",
    "0",
)
# The demo's pages with a form and opinions (the budget tests read the same ones).
BLOG_POST = "/blog/parking-2026/"
HEARING = "/hearings/garden-hearing/"

# The big-table benchmarks: (script, its size option, full size, quick size, what it counts,
# the rows of its table to report).
BIG = [
    (
        "votes_tally.py",
        "--ballots",
        10_000,
        2_000,
        "ballots",
        ["tally(motion)", "public result page /votes/<pk>/"],
    ),
    ("duty_records.py", "--records", 100_000, 20_000, "duty records", ["first page", "last page"]),
    (
        "history_centre.py",
        "--rows",
        1_000_000,
        100_000,
        "history rows",
        ["first page", "middle page", "filtered: changed by editor"],
    ),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=int, default=None, help="seconds of load per address (10; quick: 5)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--port", type=int, default=8731, help="the cached server's port (8731)")
    parser.add_argument("--scale", type=int, default=10, help="seed_demo --scale (10)")
    parser.add_argument(
        "--compare-scale",
        type=int,
        default=None,
        metavar="N",
        help="also run the pages at seed_demo --scale N (1, or 100 beside --scale 10) and print "
        "how each figure grows from the smaller scale to the larger",
    )
    parser.add_argument(
        "--compare-database",
        default=None,
        metavar="URL",
        help="the --compare-scale run's database (a DATABASE_URL seeded earlier, which "
        "seed_demo only tops up; default: a throwaway SQLite file)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the pages' figures to this file"
    )
    parser.add_argument(
        "--public-only",
        action="store_true",
        help="seed only what the public site shows (seed_demo --public-only)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="big tables at a fifth or a tenth of their size, 5 s per address",
    )
    parser.add_argument("--no-big", action="store_true", help="leave the big-table benchmarks out")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="folder of the Markdown table (results/)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (prints its path)"
    )
    args = parser.parse_args()
    if args.duration is None:
        args.duration = 5 if args.quick else 10
    return args


# --- The site: seeded, collected, measured in process -----------------------------------


def environment(tempdir):
    """The production settings' environment for the site, its commands and its servers."""
    env = dict(os.environ)
    for name in ("PAGE_CACHE_SECONDS", "WAGTAILFRONTENDCACHE"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{tempdir / 'site.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        STATIC_ROOT=str(tempdir / "static"),
        MEDIA_ROOT=str(tempdir / "media"),
        LOG_LEVEL="WARNING",
        # Nothing is sent: the seeding may notify.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *arguments):
    """Run ``manage.py`` with ``arguments``; return the seconds it took (stop if it fails)."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        say(done.stdout[-3000:])
        say(done.stderr[-3000:])
        raise SystemExit(f"manage.py {' '.join(arguments)} failed")
    say(f"  manage.py {' '.join(arguments):<44} {seconds:7.1f} s")
    return seconds


def prepare(env, args):
    """Migrate, make the cache table, seed and collect the static files; the seconds of each."""
    seed = ["seed_demo", "--scale", str(args.scale), "--force", "--verbosity", "0"]
    if args.public_only:
        seed.append("--public-only")
    return {
        "migrate": manage(env, "migrate", "--noinput", "--verbosity", "0"),
        # Does nothing when the cache is not the database cache (REDIS_URL given).
        "createcachetable": manage(env, "createcachetable"),
        "seed": manage(env, *seed),
        # Production settings queue the search index's updates (and Wagtail's other background
        # work) for the worker: run them, as the site's worker would, or search finds nothing.
        "tasks": manage(env, *WORKER_BATCH),
        "collectstatic": manage(env, "collectstatic", "--noinput", "--verbosity", "0"),
    }


def is_cache_query(sql):
    """Whether ``sql`` is the database cache's work: a read or write of its table, or the
    transaction it writes in (Django's ``DatabaseCache`` writes inside ``atomic``; the pages
    themselves only read, outside any transaction)."""
    from django.conf import settings

    words = sql.lstrip().upper()
    location = settings.CACHES["default"].get("LOCATION", "")
    uses_table = "DatabaseCache" in settings.CACHES["default"]["BACKEND"]
    return uses_table and (
        f'"{location}"' in sql or words.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    )


@dataclass
class Page:
    label: str
    path: str
    # Measured in process.
    queries: int = 0
    cache_queries: int = 0
    hit_queries: int | None = None
    bytes: int = 0
    # The database's own work for the page's queries, on SQLite: the instructions its virtual
    # machine runs (``sqlite_steps``). Unlike a time, the same for the same data on any machine,
    # however busy: what tells a query that reads more as the content grows from noise.
    sqlite_steps: int | None = None
    # Measured under load: {"cached": Load, "uncached": Load}.
    load: dict = field(default_factory=dict)


def set_up_django(env):
    """Django in this process, on the site's database with its production settings and the
    page cache off (``count_pages`` turns it on where it counts a hit)."""
    os.environ.update(env)
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


def choose_pages():
    """The pages to load: (label, path), with a published result found in the database; the
    public pages of the issue's list, then those of the register modules (volunteers,
    co-building, the honour roll), then search (last: ``count_pages`` checks it finds pages)."""
    from votes.models import Motion

    result = Motion.objects.published().order_by("pk").first()
    if result is None:
        raise SystemExit("The seeded database holds no published result.")
    return [
        Page("front page", "/"),
        Page("blog index", "/blog/"),
        Page("blog post (opinions, form)", BLOG_POST),
        Page("briefings", "/briefings/"),
        Page("hearings", "/hearings/"),
        Page("hearing (opinions, form)", HEARING),
        Page("votes", "/votes/"),
        Page("published result", f"/votes/{result.pk}/"),
        Page("duty", "/duty/"),
        Page("volunteers", "/volunteers/"),
        Page("co-building (photos)", "/cobuilding/"),
        Page("honour roll", "/honour-roll/"),
        Page(f"search ({SEARCH_WORD})", f"/search/?q={quote(SEARCH_WORD)}"),
    ]


def count_pages(pages):
    """Each page's queries, cold (the cache emptied first) and uncached, split into the site's
    own and the cache's (the database cache is a table: each read of it is a query too); the
    queries of a page answered from the page cache; the page's bytes. Then the static file
    the front page links to."""
    from django.core.cache import cache
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(**{"HTTP_" + PROXY_HEADER[0].upper().replace("-", "_"): PROXY_HEADER[1]})

    def get(path):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        return response

    # The process warms up once (content types, templates), as a running site does with its
    # first request: what is counted is a page nobody has asked for since the cache emptied.
    for page in pages:
        get(page.path)
    if '<ol class="results"' not in get(pages[-1].path).content.decode():
        raise SystemExit(f"Search for {SEARCH_WORD} found no page: is the search index built?")
    for page in pages:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = get(page.path)
        sql = [query["sql"] for query in captured.captured_queries]
        page.cache_queries = sum(map(is_cache_query, sql))
        page.queries = len(sql) - page.cache_queries
        if connection.vendor == "sqlite":
            # Read again, as the uncached load reads it: what the site keeps per process and
            # site version (the menu, the settings) is kept by now.
            with raw_queries() as ran:
                get(page.path)
            page.sqlite_steps = sqlite_steps(ran)
        page.bytes = len(response.content)
        with override_settings(PAGE_CACHE_SECONDS=300):
            cache.clear()
            get(page.path)
            with CaptureQueriesContext(connection) as captured:
                response = get(page.path)
            if response.get("X-Page-Cache") == "hit":
                page.hit_queries = len(captured.captured_queries)
    front = get("/").content.decode()
    found = re.search(r'href="(/static/[^"]+\.css)"', front)
    if not found:
        raise SystemExit("The front page links to no stylesheet under /static/.")
    cache.clear()
    connections.close_all()
    return found.group(1)


@contextmanager
def raw_queries():
    """The site's own queries run inside the block, as SQL and parameters as the database was
    given them (Django's record of a query has its parameters written in, for reading)."""
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        if not many and not is_cache_query(sql):
            queries.append((sql, params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries


def sqlite_steps(queries):
    """The instructions SQLite's virtual machine runs for ``queries`` (``(sql, params)``), each
    run again on a read-only connection of its own and counted one by one (a progress handler
    called at every instruction)."""
    import sqlite3

    from django.db import connection
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    steps = 0

    def count():
        nonlocal steps
        steps += 1
        return 0

    database = sqlite3.connect(f"file:{connection.settings_dict['NAME']}?mode=ro", uri=True)
    try:
        # Its first statement reads the schema: not the page's work.
        database.execute("SELECT count(*) FROM sqlite_master").fetchall()
        database.set_progress_handler(count, 1)
        for sql, params in queries:
            # As Django's SQLite cursor turns its placeholders into SQLite's.
            database.execute(FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%"), params).fetchall()
    finally:
        database.close()
    return steps


# --- The servers and the load ------------------------------------------------------------


@dataclass
class Load:
    rate: float
    p50: float
    p99: float
    requests: int
    errors: int
    cpu_ms: float
    kept: str = ""


class Server:
    """gunicorn serving the site on ``port`` with two sync workers (or ``workers``), given
    ``options`` besides."""

    def __init__(self, name, env, port, workers, cache_seconds, log, options=()):
        self.name = name
        self.port = port
        self.log = log
        env = dict(env, PAGE_CACHE_SECONDS=str(cache_seconds))
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "cms.wsgi",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                *options,
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up(workers)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path):
        request = urllib.request.Request(self.url(path), headers=dict([PROXY_HEADER]))
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()

    def wait_until_up(self, workers):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped:\n{self.log.read_text()[-3000:]}")
            try:
                self.get("/healthz")
                if len(self.workers()) >= workers:
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer on port {self.port}")

    def workers(self):
        """The worker processes (the master's children)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces: the fields after it start past the last ')'.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def cpu_ticks(self):
        """The workers' user and system time so far, in clock ticks."""
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
            total += int(fields[11]) + int(fields[12])
        return total

    def peak_memory(self):
        """Each worker's peak resident memory (VmHWM), in MiB."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if found:
                peaks.append(int(found.group(1)) / 1024)
        return peaks

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk_milliseconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}[unit]


def load(server, path, args):
    """wrk against ``path`` for ``args.duration`` seconds; the workers' CPU over the run."""
    ticks = server.cpu_ticks()
    done = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "-H",
            f"{PROXY_HEADER[0]}: {PROXY_HEADER[1]}",
            server.url(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    ticks = server.cpu_ticks() - ticks
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if found:
        errors += int(found.group(1))
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if found:
        # A sync worker closes each connection after its answer, which wrk may count as a
        # read error; connect errors and time-outs are real.
        errors += int(found.group(1)) + int(found.group(4))
    cpu_ms = ticks * 1000 / os.sysconf("SC_CLK_TCK") / max(requests, 1)
    return Load(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=wrk_milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1)),
        p99=wrk_milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)),
        requests=requests,
        errors=errors,
        cpu_ms=cpu_ms,
    )


def warm(server, path, times=3):
    """Ask for ``path`` a few times (each worker renders it once at least); return what the
    last answer said of the page cache."""
    kept = ""
    for _ in range(times):
        status, headers, _body = server.get(path)
        if status != 200:
            raise SystemExit(f"{server.url(path)} answered {status}")
        kept = headers.get("X-Page-Cache", "")
    return kept


def load_everything(pages, static_path, env, args, tempdir):
    """Both servers up, every page loaded on each and the static file on the cached one;
    returns (the static file's Load on each, the workers' peak memory on each)."""
    cached = uncached = None
    static = {}
    try:
        cached = Server(
            "cached", env, args.port, args.workers, 300, tempdir / "gunicorn-cached.log"
        )
        uncached = Server(
            "uncached", env, args.port + 1, args.workers, 0, tempdir / "gunicorn-uncached.log"
        )
        for server in (cached, uncached):
            warm(server, static_path)
            for page in pages:
                warm(server, page.path)
        for name, server in (("cached", cached), ("uncached", uncached)):
            static[name] = load(server, static_path, args)
            say(
                f"  {name:<9} static file      {static[name].rate:9.1f} req/s  "
                f"p50 {static[name].p50:6.1f} ms  p99 {static[name].p99:6.1f} ms"
            )
        for page in pages:
            for name, server in (("cached", cached), ("uncached", uncached)):
                kept = warm(server, page.path)
                page.load[name] = load(server, page.path, args)
                page.load[name].kept = kept
                say(
                    f"  {name:<9} {harness.pad(page.label, 28)} {page.load[name].rate:9.1f} req/s  "
                    f"p50 {page.load[name].p50:6.1f} ms  p99 {page.load[name].p99:6.1f} ms  "
                    f"CPU {page.load[name].cpu_ms:5.1f} ms/req  {kept or '-'}"
                )
        memory = {"cached": cached.peak_memory(), "uncached": uncached.peak_memory()}
    finally:
        for server in (cached, uncached):
            if server is not None:
                server.stop()
    return static, memory


# --- The big-table benchmarks ------------------------------------------------------------


def run_big(args, environ):
    """Each big-table benchmark on its own throwaway SQLite database (with the test settings,
    as ``make bench-history`` and the others run); its headline rows. A benchmark that fails
    gives a row that says so, and the others still run."""
    env = {
        name: value
        for name, value in environ.items()
        if name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PAGE_CACHE_SECONDS")
    }
    rows = []
    for script, option, full, quick, what, labels in BIG:
        size = quick if args.quick else full
        say(f"\n{script} {option} {size}")
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, str(Path(__file__).with_name(script)), option, str(size)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = []
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            say(f"  | {output[-1]}")
        seconds = time.perf_counter() - started
        for label in labels:
            try:
                if process.wait() != 0:
                    raise LookupError(f"it stopped with status {process.returncode}")
                figures = table_row(output, label)
            except LookupError as error:
                say(f"{script}: {label}: {error}")
                figures = {"label": f"{label}: failed", "median": None, "queries": None}
            rows.append(
                {
                    "what": f"{figures['label']}",
                    "benchmark": script,
                    "size": f"{size:,} {what}",
                    **figures,
                }
            )
        say(f"{script}: {seconds:.0f} s")
    return rows


def table_row(output, label):
    """The median and the queries of the row of a benchmark's table that starts with
    ``label`` (the harness prints: label, [matched], median, min, max, queries, SQL ms,
    [slowest]; the numbers are read from the right of the line)."""
    header = next((line for line in output if line.startswith(("page ", "what "))), None)
    if header is None:
        raise LookupError("it printed no table")
    titles = _titles(header)
    for line in output:
        if line.startswith(label):
            figures = line.split()[-len(titles) :]
            named = dict(zip(titles, figures, strict=True))
            return {
                "label": line.rsplit(None, len(titles))[0].strip(),
                "median": float(named["median ms"].replace(",", "")),
                "queries": int(named["queries"].replace(",", "")),
            }
    raise LookupError(f"no row {label!r} in its table")


def _titles(header):
    """The titles of the numeric columns of a harness table's header line, in order."""
    known = [column.title for column in [*harness.TIMES, harness.SLOWEST]]
    known.append("rows matched" if "rows matched" in header else "matched")
    present = [title for title in known if re.search(rf"(?<!\S){re.escape(title)}(?!\S)", header)]
    return sorted(present, key=header.find)


# --- The table ---------------------------------------------------------------------------


def ratio(rate, static):
    return rate / static if static else 0.0


def markdown(context, pages, static, memory, big):
    """The report: what was measured, the pages' table, peak memory, the big tables."""
    lines = [f"# Page benchmark, {context['date']}", ""]
    lines += [
        f"- Machine: {context['machine']}; load average when the run started {context['load']}.",
        f"- Site: `{context['settings']}`, {context['database']}, cache "
        f"`{context['cache']}`; gunicorn with {context['workers']} sync workers; seeded with "
        f"`{context['seed_command']}` ({context['seed_seconds']:.0f} s; migrate "
        f"{context['migrate_seconds']:.0f} s, the worker's queue (search index) "
        f"{context['tasks_seconds']:.0f} s, collectstatic {context['collect_seconds']:.0f} s).",
        f"- Load: `wrk -t{context['threads']} -c{context['connections']} "
        f"-d{context['duration']}s --latency` per address, on the same machine. Cached: "
        "`PAGE_CACHE_SECONDS=300`, each page asked for first; uncached: a second gunicorn "
        "with `PAGE_CACHE_SECONDS=0`.",
        f"- Static file `{context['static_path']}` (whitenoise): "
        f"{static['cached'].rate:,.0f} req/s on the cached server, "
        f"{static['uncached'].rate:,.0f} on the uncached one "
        f"(p50 {static['cached'].p50:.1f} ms, p99 {static['cached'].p99:.1f} ms, "
        f"CPU {static['cached'].cpu_ms:.2f} ms/req). "
        "Each page's ×static is its rate over its own server's static-file rate.",
        "- CPU ms/req: the workers' user and system time over the run (`/proc/<pid>/stat`) "
        "divided by the requests served. Queries: counted once in process (Django's test "
        "client, the same database and settings), cold (the cache emptied first) and "
        'uncached; "+Nc" is the database cache\'s work on top (reads and writes of its table, '
        "and the transactions it writes in). "
        "Hit queries: a page answered from the page cache (its two reads of the cache).",
        "",
    ]
    lines += [
        "| page | cached req/s | ×static | p50 ms | p99 ms | CPU ms/req | uncached req/s "
        "| ×static | p50 ms | p99 ms | CPU ms/req | queries cold | hit queries | KB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for page in pages:
        hot, cold = page.load["cached"], page.load["uncached"]
        hot_rate = f"{hot.rate:,.0f}" + ("" if hot.kept == "hit" else " (not kept)")
        errors = ""
        if hot.errors or cold.errors:
            errors = f" ({hot.errors + cold.errors} errors)"
        lines.append(
            f"| {page.label} `{page.path}`{errors} | {hot_rate} "
            f"| {ratio(hot.rate, static['cached'].rate):.2f} | {hot.p50:.1f} | {hot.p99:.1f} "
            f"| {hot.cpu_ms:.2f} | {cold.rate:,.0f} "
            f"| {ratio(cold.rate, static['uncached'].rate):.3f} | {cold.p50:.1f} "
            f"| {cold.p99:.1f} | {cold.cpu_ms:.1f} | {page.queries} +{page.cache_queries}c "
            f"| {'-' if page.hit_queries is None else page.hit_queries} "
            f"| {page.bytes / 1024:.1f} |"
        )
    lines.append(
        f"| static file | {static['cached'].rate:,.0f} | 1.00 | {static['cached'].p50:.1f} "
        f"| {static['cached'].p99:.1f} | {static['cached'].cpu_ms:.2f} "
        f"| {static['uncached'].rate:,.0f} | 1.000 | {static['uncached'].p50:.1f} "
        f"| {static['uncached'].p99:.1f} | {static['uncached'].cpu_ms:.2f} | 0 | - | - |"
    )
    lines.append("")
    lines.append(
        "Peak memory per worker (VmHWM): cached server "
        + ", ".join(f"{mib:.0f} MiB" for mib in memory["cached"])
        + "; uncached server "
        + ", ".join(f"{mib:.0f} MiB" for mib in memory["uncached"])
        + "."
    )
    lines.append("")
    lines += goals(pages, static)
    if big:
        lines += [
            "",
            "Big tables (each on its own throwaway SQLite database, `cms.settings.test`, "
            "Django's test client; the median of several requests after one untimed one):",
            "",
            "| benchmark | size | what | median ms | queries |",
            "| --- | --- | --- | ---: | ---: |",
        ]
        for row in big:
            median = "-" if row["median"] is None else f"{row['median']:.1f}"
            queries = "-" if row["queries"] is None else row["queries"]
            lines.append(
                f"| `{row['benchmark']}` | {row['size']} | {row['what']} | {median} | {queries} |"
            )
    lines += [
        "",
        f"The run took {context['minutes']:.0f} minutes; load average at its end "
        f"{context['end_load']} (other work on the machine shows in every figure).",
        "",
    ]
    return "\n".join(lines)


def goals(pages, static):
    """Where the figures stand against the issue's goals (figures, not a verdict)."""
    halves = [p.label for p in pages if ratio(p.load["cached"].rate, static["cached"].rate) >= 0.5]
    tens = [p.label for p in pages if p.load["uncached"].cpu_ms <= 10]
    budget = [p.label for p in pages if p.queries <= 12]
    count = len(pages)
    return [
        "Against the goals: cached at half the static-file rate or more: "
        f"{len(halves)} of {count}; uncached at 10 ms of CPU or less: {len(tens)} of {count}; "
        f"12 queries or fewer cold (the site's own): {len(budget)} of {count}."
    ]


# --- The same pages at another scale: how each figure grows ---------------------------------


def figures(pages, static):
    """What ``growth`` compares, as plain data (written with ``--json``)."""
    return {
        "static": {name: load.rate for name, load in static.items()},
        "pages": [
            {
                "label": page.label,
                "path": page.path,
                "queries": page.queries,
                "bytes": page.bytes,
                "sqlite_steps": page.sqlite_steps,
                "cached_ratio": ratio(page.load["cached"].rate, static["cached"].rate),
                "uncached_cpu_ms": page.load["uncached"].cpu_ms,
                "uncached_p50": page.load["uncached"].p50,
            }
            for page in pages
        ],
    }


def run_other(args, environ, tempdir):
    """This benchmark's pages (no big tables) in a child process, on a database seeded at
    ``--compare-scale`` (``--compare-database``, or a throwaway one); their figures."""
    target = tempdir / f"scale-{args.compare_scale}.json"
    say(f"the same pages at seed_demo --scale {args.compare_scale}, in a new process:")
    command = [
        PYTHON,
        str(Path(__file__).resolve()),
        "--scale",
        str(args.compare_scale),
        "--no-big",
        "--duration",
        str(args.duration),
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--workers",
        str(args.workers),
        "--port",
        str(args.port + 10),
        "--output",
        str(tempdir / "smaller"),
        "--json",
        str(target),
    ]
    if args.public_only:
        command.append("--public-only")
    env = {key: value for key, value in environ.items() if key != "DATABASE_URL"}
    if args.compare_database:
        env["DATABASE_URL"] = args.compare_database
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True)
    return json.loads(target.read_text(encoding="utf-8"))


def growth(this, other, args):
    """The table of each page's figures at both scales (this run's ``--scale`` and the other
    run's ``--compare-scale``) and how much each grew from the smaller to the larger (a page's
    different path at each scale, a published result, is matched by its label)."""
    small_scale, large_scale = sorted((args.scale, args.compare_scale))
    smaller, larger = (other, this) if args.compare_scale < args.scale else (this, other)
    by_label = {page["label"]: page for page in smaller["pages"]}
    lines = [
        f"## From `--scale {small_scale}` to `--scale {large_scale}`",
        "",
        f"Each page's figures on a database seeded at each scale (the same settings, servers and "
        f"load; the `--scale {args.compare_scale}` run in its own process just after). Growth is "
        "the larger over the smaller, less one; CPU times and rates move by several per cent "
        "between two runs of the same thing. SQLite steps are the instructions SQLite runs for "
        "the page's queries, uncached: the same for the same data on any machine.",
        "",
        f"| page | uncached CPU ms ×{small_scale} | ×{large_scale} | growth "
        f"| p50 ms ×{small_scale} | ×{large_scale} | growth "
        f"| queries ×{small_scale} | ×{large_scale} "
        f"| KB ×{small_scale} | ×{large_scale} | growth "
        f"| SQLite steps ×{small_scale} | ×{large_scale} | growth "
        f"| cached ×static ×{small_scale} | ×{large_scale} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    grown = []
    for page in larger["pages"]:
        small = by_label.get(page["label"])
        if small is None:
            continue
        cpu = change(small["uncached_cpu_ms"], page["uncached_cpu_ms"])
        p50 = change(small["uncached_p50"], page["uncached_p50"])
        size = change(small["bytes"], page["bytes"])
        small_steps, steps = small.get("sqlite_steps"), page.get("sqlite_steps")
        work = change(small_steps, steps) if small_steps and steps else 0.0
        worst = max(cpu, p50, size, work, change(small["queries"], page["queries"]))
        if worst > 0.10:
            grown.append(f"{page['label']} ({worst:+.0%})")
        lines.append(
            f"| {page['label']} | {small['uncached_cpu_ms']:.1f} | {page['uncached_cpu_ms']:.1f} "
            f"| {cpu:+.0%} | {small['uncached_p50']:.1f} | {page['uncached_p50']:.1f} "
            f"| {p50:+.0%} | {small['queries']} | {page['queries']} "
            f"| {small['bytes'] / 1024:.1f} | {page['bytes'] / 1024:.1f} | {size:+.0%} "
            f"| {small_steps or '-'} | {steps or '-'} | {f'{work:+.0%}' if steps else '-'} "
            f"| {small['cached_ratio']:.2f} | {page['cached_ratio']:.2f} |"
        )
    lines += [
        "",
        "Against the goal (no figure grows more than 10% with ten times the content): "
        + (f"grew more: {', '.join(grown)}." if grown else "none grew more than 10%."),
        "",
    ]
    return "\n".join(lines)


def change(before, after):
    return (after / before - 1) if before else 0.0


def machine():
    model = ""
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1).strip() if found else ""
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs{f' ({model})' if model else ''}, {platform.system()}"


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it (Debian: apt-get install wrk).")
    if not Path(GUNICORN).exists():
        raise SystemExit(f"gunicorn is missing beside {PYTHON}: pip install -e .")
    started = time.perf_counter()
    environ = dict(os.environ)
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    tempdir = Path(tempfile.mkdtemp(prefix="cms-bench-pages-"))
    try:
        env = environment(tempdir)
        say("preparing the site (production settings):")
        seconds = prepare(env, args)
        set_up_django(env)
        from django.conf import settings
        from django.db import connection

        pages = choose_pages()
        say("counting queries in process...")
        static_path = count_pages(pages)
        context = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "load": load_average,
            "settings": settings.SETTINGS_MODULE,
            "database": f"{connection.vendor}",
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "workers": args.workers,
            "seed_command": f"seed_demo --scale {args.scale}"
            + (" --public-only" if args.public_only else ""),
            "seed_seconds": seconds["seed"],
            "migrate_seconds": seconds["migrate"],
            "collect_seconds": seconds["collectstatic"],
            "tasks_seconds": seconds["tasks"],
            "threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "static_path": static_path,
        }
        say(f"loading each address for {args.duration} s, cached and uncached:")
        static, memory = load_everything(pages, static_path, env, args, tempdir)
        if args.json:
            args.json.write_text(json.dumps(figures(pages, static)), encoding="utf-8")
        other = None
        if args.compare_scale is not None:
            other = run_other(args, environ, tempdir)
        big = [] if args.no_big else run_big(args, environ)
        context["end_load"] = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        context["minutes"] = (time.perf_counter() - started) / 60
        report = markdown(context, pages, static, memory, big)
        if other is not None:
            report += "\n" + growth(figures(pages, static), other, args)
        say()
        say(report)
        args.output.mkdir(parents=True, exist_ok=True)
        # A run measuring growth beyond --scale keeps its own file beside make bench's.
        kind = "growth" if (args.compare_scale or 0) > args.scale else "pages"
        target = args.output / f"{kind}-{context['date'][:10]}.md"
        target.write_text(report, encoding="utf-8")
        say(f"written to {target} ({time.perf_counter() - started:.0f} s in all)")
    finally:
        if args.keep:
            say(f"kept {tempdir}")
        else:
            shutil.rmtree(tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()
