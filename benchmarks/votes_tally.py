"""How fast a vote is counted with 10,000 people on its roll and 10,000 ballots.

Registers 10,000 resident representatives (bulk insert), opens one motion as a meeting clerk
(which snapshots the roll of 10,000), writes 10,000 ballots with their receipts in bulk,
closes the motion and publishes its results; then times ``motion.tally()``, the public result
page at ``/votes/<pk>/`` through Django's test client, and the clerks' CSV exports, and prints
the figures. It prints figures only: it never fails because something is slow.

    make bench-votes                      # a throwaway SQLite database in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench_votes make bench-votes
    .venv/bin/python benchmarks/votes_tally.py --ballots 2000 --repeat 5

With DATABASE_URL the database must exist and hold no votes yet; drop it afterwards (the
ballot tables refuse DELETE on PostgreSQL, so the rows cannot be removed one by one anyway).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "德明", "丽华", "春生", "玉梅", "国庆"]
TITLE = "关于小区停车位重新规划的表决（基准测试）"
# How the ballots split between for, against and abstain.
SPLIT = (0.62, 0.27, 0.11)


def say(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000, help="eligible roll (10,000)")
    parser.add_argument("--ballots", type=int, default=10_000, help="ballots cast (10,000)")
    parser.add_argument("--batch", type=int, default=2_000, help="rows per bulk_create")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (7)")
    parser.add_argument("--secret", action="store_true", help="a secret ballot (no voter)")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite database (prints its path)"
    )
    args = parser.parse_args()
    if args.ballots > args.people:
        parser.error("--ballots cannot exceed --people: one ballot per person")
    return args


def set_up_django(database_url):
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.conf import settings

    if settings.DEBUG:
        # DEBUG keeps every query in memory and slows every request: not what we measure.
        settings.DEBUG = False


def timed(label, work):
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    say(f"  {label:<44} {seconds:7.2f} s")
    return result


def clerk_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core import roles

    clerk, _created = get_user_model().objects.get_or_create(username="bench-clerk")
    clerk.groups.add(Group.objects.get(name=roles.MEETING_CLERKS))
    return clerk


def register(count, batch, rng):
    """``count`` active representatives, inserted in bulk (no history: this is a fixture)."""
    from people.models import Person

    Person.objects.bulk_create(
        (
            Person(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                is_representative=True,
                building=f"{n % 40 + 1}号楼",
                unit=f"{n % 6 + 1}单元",
            )
            for n in range(count)
        ),
        batch_size=batch,
    )


def cast_in_bulk(motion, count, batch, rng, secret):
    """``count`` ballots and their receipts, for the first ``count`` people on the roll."""
    from django.db import transaction
    from django.utils import timezone

    from votes.models import Ballot, BallotReceipt, Channel

    options = list(motion.options.order_by("sort_order", "pk"))
    voters = list(motion.roll.order_by("pk").values_list("person_id", flat=True)[:count])
    choices = rng.choices(options, weights=SPLIT, k=len(voters))
    now = timezone.now()
    with transaction.atomic():
        BallotReceipt.objects.bulk_create(
            (
                BallotReceipt(motion=motion, person_id=pk, channel=Channel.ONLINE, cast_at=now)
                for pk in voters
            ),
            batch_size=batch,
        )
        Ballot.objects.bulk_create(
            (
                Ballot(
                    motion=motion,
                    option=option,
                    voter_id=None if secret else pk,
                    cast_at=None if secret else now,
                )
                for pk, option in zip(voters, choices, strict=True)
            ),
            batch_size=batch,
        )


def fill(args, rng):
    """The register, one motion opened, counted and published; returns (motion, clerk)."""
    from audit.transitions import perform
    from votes.models import Kind, Motion, Rule

    clerk = clerk_user()
    timed(
        f"register {args.people:,} representatives", lambda: register(args.people, args.batch, rng)
    )
    motion = Motion.objects.create(
        kind=Kind.MOTION, title=TITLE, rule=Rule.TWO_THIRDS, quorum_percent=50, secret=args.secret
    )
    timed(f"open (snapshot a roll of {args.people:,})", lambda: perform(motion, "open", clerk))
    timed(
        f"bulk-insert {args.ballots:,} ballots and receipts",
        lambda: cast_in_bulk(motion, args.ballots, args.batch, rng, args.secret),
    )
    perform(motion, "close", clerk)
    perform(motion, "publish_results", clerk)
    return motion, clerk


def analyse():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("votes_ballot", "votes_ballotreceipt", "votes_rollentry"):
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        return "VACUUM ANALYZE, as autovacuum does after a big insert"
    return "no ANALYZE: Django never runs it on SQLite"


class QueryCounter:
    """Counts the queries run through the connection, and their time (independent of the
    query log, which a request may reset)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


def measure(label, work, repeat):
    """One untimed run (its queries counted), then ``repeat`` timed runs."""
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        work()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "label": label,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "queries": counter.count,
        "sql_ms": counter.seconds * 1000,
    }


def request(client, url, content=None):
    from django.core.cache import cache

    def get():
        cache.clear()  # cold, as the query budget is measured
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if content is not None and content not in response.content.decode():
            raise SystemExit(f"{url} does not show {content!r}")
        return response

    return get


def print_table(rows):
    header = f"{'what':<40} {'median ms':>10} {'min':>8} {'max':>8} {'queries':>8} {'SQL ms':>8}"
    say(header)
    say("-" * len(header))
    for row in rows:
        say(
            f"{row['label']:<40} {row['median']:>10.1f} {row['min']:>8.1f} {row['max']:>8.1f} "
            f"{row['queries']:>8} {row['sql_ms']:>8.1f}"
        )


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    given_url = os.environ.get("DATABASE_URL")
    tempdir = None
    if given_url:
        database_url = given_url
    else:
        tempdir = Path(tempfile.mkdtemp(prefix="cms-bench-votes-"))
        database_url = f"sqlite:///{tempdir / 'bench.sqlite3'}"
    try:
        set_up_django(database_url)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from votes.models import Ballot, Motion

        say(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"migrate: {time.perf_counter() - started:.1f} s")
        if Motion.objects.exists():
            raise SystemExit(
                "This database already holds votes: the benchmark only fills an empty one. "
                "Create a fresh database for it (and drop it afterwards)."
            )
        say("filling:")
        motion, clerk = fill(args, rng)
        analysis = analyse()

        result = motion.tally()
        rows = [measure("motion.tally()", motion.tally, args.repeat)]
        visitor = Client()
        rows.append(
            measure(
                "public result page /votes/<pk>/",
                request(visitor, f"/votes/{motion.pk}/", content="results-table"),
                args.repeat,
            )
        )
        rows.append(measure("public index /votes/", request(visitor, "/votes/"), args.repeat))
        staff = Client()
        staff.force_login(clerk)
        results_url = reverse("votes_results", args=[motion.pk])
        rows.append(
            measure("clerk: results CSV", request(staff, f"{results_url}?export=csv"), args.repeat)
        )
        if not args.secret:
            rows.append(
                measure(
                    f"clerk: named ballots CSV ({args.ballots:,} rows)",
                    request(staff, f"{results_url}?export=ballots"),
                    args.repeat,
                )
            )

        say()
        say(
            f"One {'secret' if args.secret else 'named'} motion: roll {result.roll:,}, "
            f"{Ballot.objects.filter(motion=motion).count():,} ballots, "
            f"{connection.vendor} ({analysis}); settings {settings.SETTINGS_MODULE}"
        )
        counts = ", ".join(f"{count.label} {count.votes:,}" for count in result.counts)
        say(
            f"result: {counts}; turnout {result.turnout:.0%}; quorum "
            f"{'met' if result.quorum_met else 'not met'}; {result.outcome}"
        )
        say(
            f"each: the median of {args.repeat} runs, after one untimed run (whose queries are counted)"
        )
        say()
        print_table(rows)
    finally:
        if tempdir is not None:
            if args.keep:
                say(f"\nkept {tempdir}")
            else:
                shutil.rmtree(tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()
