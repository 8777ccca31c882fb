"""What the benchmarks share: a database to fill, timed runs and a table of the figures.

A benchmark runs on a throwaway SQLite file in a temporary directory, or on ``DATABASE_URL``
if set (a new, empty database: the benchmark fills it and never cleans up). Django is set up
with the test settings and the database migrated before the benchmark fills it. Each page or
piece of work is run once untimed (its queries counted) and then timed ``--repeat`` times.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def say(text=""):
    """Print a line at once (a long fill reports its progress as it goes)."""
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def add_arguments(parser, *, repeat, explain=True):
    """The options every benchmark takes: ``--repeat``, ``--seed``, ``--keep`` (and
    ``--explain`` where it times pages)."""
    parser.add_argument("--repeat", type=int, default=repeat, help=f"timed runs of each ({repeat})")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    if explain:
        parser.add_argument(
            "--explain", action="store_true", help="print each page's slowest query and its plan"
        )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite database (prints its path)"
    )


@contextmanager
def database(name, *, keep=False):
    """Django set up on the benchmark's database and migrated; yields whether it is the
    ``DATABASE_URL`` one (otherwise a SQLite file, removed afterwards unless ``keep``)."""
    given_url = os.environ.get("DATABASE_URL")
    tempdir = None
    if given_url:
        database_url = given_url
    else:
        tempdir = Path(tempfile.mkdtemp(prefix=f"cms-bench-{name}-"))
        database_url = f"sqlite:///{tempdir / 'bench.sqlite3'}"
    try:
        _set_up_django(database_url)
        from django.core.management import call_command
        from django.db import connection

        say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"migrate: {time.perf_counter() - started:.1f} s")
        yield given_url is not None
    finally:
        if tempdir is not None:
            if keep:
                say(f"\nkept {tempdir}")
            else:
                shutil.rmtree(tempdir, ignore_errors=True)


def _set_up_django(database_url):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        # DEBUG keeps every query in memory and slows every request: not what we measure.
        settings.DEBUG = False


def refuse_if_filled(filled, what):
    """Stop unless the database is empty of ``what``: a benchmark never fills a real one."""
    if filled:
        raise SystemExit(
            f"This database already holds {what}: the benchmark only fills an empty one. "
            "Create a fresh database for it (and drop it afterwards)."
        )


def analyse(*tables):
    """Bring the planner's statistics and visibility map to where autovacuum would."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        return "VACUUM ANALYZE, as autovacuum does after a big insert"
    return "no ANALYZE: Django never runs it on SQLite"


class QueryCounter:
    """Counts the queries run through the connection, their time and the slowest one
    (independent of the query log, which a request may reset)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.slowest = (0.0, "", None)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            self.count += 1
            self.seconds += seconds
            if seconds >= self.slowest[0]:
                self.slowest = (seconds, sql, params)


def measure(label, work, repeat):
    """One untimed run of ``work()`` (its queries counted), then ``repeat`` timed runs."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    slowest_seconds, slowest_sql, slowest_params = counter.slowest
    return {
        "label": label,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "queries": counter.count,
        "sql_ms": counter.seconds * 1000,
        "slowest_ms": slowest_seconds * 1000,
        "slowest_sql": slowest_sql,
        "slowest_params": slowest_params,
    }


def get(client, url, *, cold=False, content=None):
    """Work for ``measure``: ask for ``url`` (after emptying the cache if ``cold``, as the
    query budget is measured) and stop unless it answers 200 (showing ``content``)."""
    from django.core.cache import cache

    def work():
        if cold:
            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if content is not None and content not in response.content.decode():
            raise SystemExit(f"{url} does not show {content!r}")
        return response

    return work


def time_pages(client, pages, repeat, *, explain=False):
    """``measure`` each of ``pages`` (``(label, url)``); with ``explain``, print each page's
    slowest query and its plan."""
    results = []
    for label, url in pages:
        row = measure(label, get(client, url), repeat)
        row["url"] = url
        results.append(row)
        if explain:
            say(f"\n{label}: slowest query {row['slowest_ms']:.1f} ms\n  {row['slowest_sql']}")
            say(query_plan(row["slowest_sql"], row["slowest_params"]))
    return results


def query_plan(sql, params):
    from django.db import connection

    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join("    " + " ".join(str(part) for part in row) for row in cursor.fetchall())


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    width: int
    format: str = ".1f"


# What ``measure`` gives, as columns of the table.
TIMES = [
    Column("median ms", "median", 10),
    Column("min", "min", 7),
    Column("max", "max", 7),
    Column("queries", "queries", 7, "d"),
    Column("SQL ms", "sql_ms", 7),
]
SLOWEST = Column("slowest", "slowest_ms", 7)


def pad(text, width):
    """``text`` left-aligned in ``width`` columns of a terminal (Chinese takes two each)."""
    shown = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - shown)


def print_table(rows, columns, *, label="page", label_width=36):
    """One line per row: its label, then ``columns``; then the address of each page."""
    header = pad(label, label_width) + "".join(
        f" {column.title:>{column.width}}" for column in columns
    )
    say(header)
    say("-" * len(header))
    for row in rows:
        say(
            pad(row["label"], label_width)
            + "".join(f" {row[column.key]:>{column.width}{column.format}}" for column in columns)
        )
    if any("url" in row for row in rows):
        say()
        say(
            "SQL ms and slowest: the queries of one untimed request (all of them, the slowest one)."
        )
        for row in rows:
            say(f"  {pad(row['label'], label_width)} {row['url']}")
