"""Demo votes: a published motion, an election and evaluations, one open motion the demo
representative has not voted on yet, and one open secret motion waiting for the hall.

``scale`` copies of each: the first through the voting services one ballot at a time, as
residents and the clerk cast them; the others with their ballots written in bulk, as the
services would leave them (a secret vote's ballots with no voter, its hall counted before
the close), then closed through the transitions, which seal the ballot box."""

import contextlib
from collections import Counter

from django.utils import timezone

from core.transitions import perform
from people.models import Person

from .models import (
    Ballot,
    BallotChannel,
    BallotReceipt,
    HallCount,
    Motion,
    MotionKind,
    MotionOption,
    Rule,
)
from .services import VoteRefused, cast, record_attendance, record_hall_count

OPEN_SECRET_MOTION = "关于小区公共收益使用方案的无记名表决"


def run(motion, clerk, *steps):
    for step in steps:
        perform(motion, step, clerk)


def vote_all(motion, pattern, clerk, *, online=False):
    """Everyone on the roll but the demo representative votes, choices following ``pattern``:
    in the hall (a secret vote: who took a paper ballot, then the counted totals), or online."""
    options = list(motion.options.order_by("sort_order", "pk"))
    totals = Counter()
    for number, entry in enumerate(
        motion.roll.select_related("person").order_by("person__name", "pk")
    ):
        if entry.person.user_id and entry.person.user.username == "rep":
            continue
        choice = pattern[number % len(pattern)]
        if choice is None:
            continue  # absent
        # Re-running the seed meets ballots cast already: those are left as they are.
        with contextlib.suppress(VoteRefused):
            if online:
                cast(motion.pk, entry.person, options[choice].pk)
            elif motion.secret:
                record_attendance(motion.pk, entry.person, recorded_by=clerk)
                totals[options[choice].pk] += 1
            else:
                cast(
                    motion.pk,
                    entry.person,
                    options[choice].pk,
                    channel=BallotChannel.HALL,
                    recorded_by=clerk,
                )
    if totals:
        with contextlib.suppress(VoteRefused):
            record_hall_count(motion.pk, dict(totals), counted_by=clerk)


def vote_in_bulk(motion, pattern, clerk, *, online=False):
    """What ``vote_all`` leaves, written in bulk: a receipt per voter; a named ballot each
    in an open vote, ballots with no voter and no time in a secret one (and, for the hall's
    paper ballots, the clerk's count)."""
    options = list(motion.options.order_by("sort_order", "pk"))
    now = timezone.now()
    voters = []
    for number, entry in enumerate(
        motion.roll.select_related("person__user").order_by("person__name", "pk")
    ):
        if entry.person.user_id and entry.person.user.username == "rep":
            continue
        choice = pattern[number % len(pattern)]
        if choice is not None:
            voters.append((entry.person, options[choice]))
    channel = BallotChannel.ONLINE if online else BallotChannel.HALL
    BallotReceipt.objects.bulk_create(
        BallotReceipt(
            motion=motion,
            person=person,
            channel=channel,
            recorded_by=None if online else clerk,
            cast_at=now,
        )
        for person, _option in voters
    )
    secret = motion.secret
    Ballot.objects.bulk_create(
        Ballot(
            motion=motion,
            option=option,
            voter=None if secret else person,
            cast_at=None if secret else now,
        )
        for person, option in sorted(voters, key=lambda voter: voter[1].sort_order)
    )
    if secret and not online and voters:
        HallCount.objects.create(motion=motion, ballots=len(voters), counted_by=clerk)


def copy_title(title, copy):
    return f"{title}（{copy + 1}）" if copy else title


def seed(*, scale, users):
    created = 0
    for copy in range(scale):
        created += seed_copy(copy, users)
    return created


def seed_copy(copy, users):
    """The demo's votes, the ``copy``-th time (0: the demo itself, through the services)."""
    clerk = users["clerk"]
    vote = vote_in_bulk if copy else vote_all
    created = 0
    title = copy_title("关于中心花园改造方案的表决", copy)
    if not Motion.objects.filter(title=title).exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title=title,
            rule=Rule.SIMPLE,
            quorum_percent=50,
            description="经听证会征求意见后，提请居民代表会议表决中心花园改造方案（预算48万元）。",
        )
        run(motion, clerk, "open")
        vote(motion, [0, 0, 0, 1, 2, 0, None], clerk)
        run(motion, clerk, "close", "publish_results")
        created += 1

    title = copy_title("居民委员会委员补选", copy)
    if not Motion.objects.filter(title=title).exists():
        election = Motion(
            kind=MotionKind.ELECTION,
            title=title,
            secret=True,
            rule=Rule.SIMPLE,
            description="补选居民委员会委员一名，无记名投票。",
        )
        members = Person.objects.filter(is_party_member=True, is_active=True).order_by("pk")
        # Each copy its own candidates, as far as the register goes.
        candidates = list(members[3 * copy : 3 * copy + 3]) or list(members[:3])
        for order, person in enumerate(candidates):
            election.options.add(
                MotionOption(label=person.name, candidate=person, sort_order=order)
            )
        election.save()
        run(election, clerk, "open")
        vote(election, [0, 1, 0, 2, 0, 0], clerk)
        run(election, clerk, "close", "publish_results")
        created += 1

    cadres = list(Person.objects.cadres().order_by("pk"))
    for number in range(min(3, len(cadres))):
        cadre = cadres[(3 * copy + number) % len(cadres)]
        title = copy_title(f"年度民主测评：{cadre.name}", copy)
        if Motion.objects.filter(title=title).exists():
            continue
        evaluation = Motion.objects.create(
            kind=MotionKind.EVALUATION, title=title, subject=cadre, secret=True
        )
        run(evaluation, clerk, "open")
        vote(evaluation, [0, 0, 1, 0, 2, 0, 1], clerk)
        run(evaluation, clerk, "close", "publish_results")
        created += 1

    title = copy_title("关于增设电动自行车充电桩的表决", copy)
    if not Motion.objects.filter(title=title).exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title=title,
            rule=Rule.TWO_THIRDS,
            description="拟在3号楼和7号楼之间增设电动自行车充电桩20个，费用由公益金列支。",
        )
        run(motion, clerk, "open")
        vote(motion, [0, 1, None, 0], clerk)
        created += 1

    # Open and secret: a few voted online before the meeting; the clerk's hall roll call
    # (attendance, then the counted totals) is still to come.
    title = copy_title(OPEN_SECRET_MOTION, copy)
    if not Motion.objects.filter(title=title).exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title=title,
            secret=True,
            rule=Rule.SIMPLE,
            description="小区公共收益2027年度使用方案（楼道照明、监控维护），无记名表决。",
        )
        run(motion, clerk, "open")
        vote(motion, [0, None, None, 1, None, None, None], clerk, online=True)
        created += 1
    return created
