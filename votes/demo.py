"""Demo votes: a published motion, an election and evaluations, and one open motion the
demo representative has not voted on yet."""

import contextlib

from core.transitions import perform
from people.models import Person

from .models import BallotChannel, Motion, MotionKind, MotionOption, Rule
from .services import VoteRefused, cast


def run(motion, clerk, *steps):
    for step in steps:
        perform(motion, step, clerk)


def vote_all(motion, pattern, clerk):
    """Everyone on the roll but the demo representative votes, choices following ``pattern``."""
    options = list(motion.options.order_by("sort_order", "pk"))
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
            cast(
                motion.pk,
                entry.person,
                options[choice].pk,
                channel=BallotChannel.HALL,
                recorded_by=clerk,
            )


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
    return created
