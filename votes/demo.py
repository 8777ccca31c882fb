"""Demo votes: a published motion, an election and evaluations, one open motion the demo
representative has not voted on yet, and one open secret motion waiting for the hall."""

import contextlib
from collections import Counter

from core.transitions import perform
from people.models import Person

from .models import BallotChannel, Motion, MotionKind, MotionOption, Rule
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


def seed(*, scale, users):
    clerk = users["clerk"]
    created = 0
    if not Motion.objects.filter(title="关于中心花园改造方案的表决").exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title="关于中心花园改造方案的表决",
            rule=Rule.SIMPLE,
            quorum_percent=50,
            description="经听证会征求意见后，提请居民代表会议表决中心花园改造方案（预算48万元）。",
        )
        run(motion, clerk, "open")
        vote_all(motion, [0, 0, 0, 1, 2, 0, None], clerk)
        run(motion, clerk, "close", "publish_results")
        created += 1

    if not Motion.objects.filter(title="居民委员会委员补选").exists():
        election = Motion(
            kind=MotionKind.ELECTION,
            title="居民委员会委员补选",
            secret=True,
            rule=Rule.SIMPLE,
            description="补选居民委员会委员一名，无记名投票。",
        )
        candidates = list(
            Person.objects.filter(is_party_member=True, is_active=True).order_by("pk")[:3]
        )
        for order, person in enumerate(candidates):
            election.options.add(
                MotionOption(label=person.name, candidate=person, sort_order=order)
            )
        election.save()
        run(election, clerk, "open")
        vote_all(election, [0, 1, 0, 2, 0, 0], clerk)
        run(election, clerk, "close", "publish_results")
        created += 1

    for cadre in Person.objects.cadres().order_by("pk")[:3]:
        title = f"年度民主测评：{cadre.name}"
        if Motion.objects.filter(title=title).exists():
            continue
        evaluation = Motion.objects.create(
            kind=MotionKind.EVALUATION, title=title, subject=cadre, secret=True
        )
        run(evaluation, clerk, "open")
        vote_all(evaluation, [0, 0, 1, 0, 2, 0, 1], clerk)
        run(evaluation, clerk, "close", "publish_results")
        created += 1

    if not Motion.objects.filter(title="关于增设电动自行车充电桩的表决").exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title="关于增设电动自行车充电桩的表决",
            rule=Rule.TWO_THIRDS,
            description="拟在3号楼和7号楼之间增设电动自行车充电桩20个，费用由公益金列支。",
        )
        run(motion, clerk, "open")
        vote_all(motion, [0, 1, None, 0], clerk)
        created += 1

    # Open and secret: a few voted online before the meeting; the clerk's hall roll call
    # (attendance, then the counted totals) is still to come.
    if not Motion.objects.filter(title=OPEN_SECRET_MOTION).exists():
        motion = Motion.objects.create(
            kind=MotionKind.MOTION,
            title=OPEN_SECRET_MOTION,
            secret=True,
            rule=Rule.SIMPLE,
            description="小区公共收益2027年度使用方案（楼道照明、监控维护），无记名表决。",
        )
        run(motion, clerk, "open")
        vote_all(motion, [0, None, None, 1, None, None, None], clerk, online=True)
        created += 1
    return created
