"""How fast a vote is counted with 10,000 people on its roll and 10,000 ballots.

Registers 10,000 resident representatives (bulk insert), opens one motion as a meeting clerk
(which snapshots the roll of 10,000), writes 10,000 ballots with their receipts in bulk,
closes the motion and publishes its results; then times ``tally(motion)``, the public result
page at ``/votes/<pk>/`` through Django's test client, and the clerks' CSV exports, and prints
the figures. It prints figures only: it never fails because something is slow.

    make bench-votes                      # a throwaway SQLite database in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_bench_votes make bench-votes
    .venv/bin/python benchmarks/votes_tally.py --ballots 2000 --repeat 5

With DATABASE_URL the database must exist and hold no votes yet; drop it afterwards (the
ballot tables refuse DELETE on PostgreSQL, so the rows cannot be removed one by one anyway).
"""

import argparse
import random
import time

import harness
from harness import get, measure, say

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "德明", "丽华", "春生", "玉梅", "国庆"]
TITLE = "关于小区停车位重新规划的表决（基准测试）"
# How the ballots split between for, against and abstain.
SPLIT = (0.62, 0.27, 0.11)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000, help="eligible roll (10,000)")
    parser.add_argument("--ballots", type=int, default=10_000, help="ballots cast (10,000)")
    parser.add_argument("--batch", type=int, default=2_000, help="rows per bulk_create")
    parser.add_argument("--secret", action="store_true", help="a secret ballot (no voter)")
    harness.add_arguments(parser, repeat=7, explain=False)
    args = parser.parse_args()
    if args.ballots > args.people:
        parser.error("--ballots cannot exceed --people: one ballot per person")
    return args


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

    from votes.models import Ballot, BallotChannel, BallotReceipt

    options = list(motion.options.order_by("sort_order", "pk"))
    voters = list(motion.roll.order_by("pk").values_list("person_id", flat=True)[:count])
    choices = rng.choices(options, weights=SPLIT, k=len(voters))
    now = timezone.now()
    with transaction.atomic():
        BallotReceipt.objects.bulk_create(
            (
                BallotReceipt(
                    motion=motion, person_id=pk, channel=BallotChannel.ONLINE, cast_at=now
                )
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
    from core.transitions import perform
    from votes.models import Motion, MotionKind, Rule

    clerk = clerk_user()
    timed(
        f"register {args.people:,} representatives", lambda: register(args.people, args.batch, rng)
    )
    motion = Motion.objects.create(
        kind=MotionKind.MOTION,
        title=TITLE,
        rule=Rule.TWO_THIRDS,
        quorum_percent=50,
        secret=args.secret,
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
    return harness.analyse("votes_ballot", "votes_ballotreceipt", "votes_rollentry")


def main():
    args = parse_args()
    rng = random.Random(args.seed)
    with harness.database("votes", keep=args.keep):
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from votes.models import Ballot, Motion
        from votes.tally import tally

        harness.refuse_if_filled(Motion.objects.exists(), "votes")
        say("filling:")
        motion, clerk = fill(args, rng)
        analysis = analyse()

        result = tally(motion)
        rows = [measure("tally(motion)", lambda: tally(motion), args.repeat)]
        visitor = Client()
        rows.append(
            measure(
                "public result page /votes/<pk>/",
                get(visitor, f"/votes/{motion.pk}/", cold=True, content="results-table"),
                args.repeat,
            )
        )
        rows.append(
            measure("public index /votes/", get(visitor, "/votes/", cold=True), args.repeat)
        )
        staff = Client()
        staff.force_login(clerk)
        results_url = reverse("votes_results", args=[motion.pk])
        rows.append(
            measure(
                "clerk: results CSV",
                get(staff, f"{results_url}?export=csv", cold=True),
                args.repeat,
            )
        )
        if not args.secret:
            rows.append(
                measure(
                    f"clerk: named ballots CSV ({args.ballots:,} rows)",
                    get(staff, f"{results_url}?export=ballots", cold=True),
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
        harness.print_table(rows, harness.TIMES, label="what", label_width=40)


if __name__ == "__main__":
    main()
