"""What the query-budget tests measure against: ten times the demo, and the pages they ask for.

The package's fixture (``conftest.py``) builds it once: ``seed_demo --scale 10 --public-only``
(what the public site shows; the office's registers are left out), which multiplies every
model the demo makes, briefings, hearings, opinions and votes with their ballots included.
"""

from io import StringIO
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cobuilding.models import JointActivity
from core.indexing import reference_index_off
from core.transitions import perform
from duty.models import DutyRecord, DutyRecordState
from hearings.models import BriefingPage, HearingPage
from opinions.models import Opinion
from people.models import Person
from votes.factories import MotionFactory
from votes.models import (
    Ballot,
    BallotChannel,
    BallotReceipt,
    HallCount,
    Motion,
    MotionKind,
    MotionState,
)

SCALE = 10

# The pages whose queries must not grow with the content, per module: the fixture counts them
# at scale 1 (rolled back) before it seeds ten times the demo.
BLOG_TOPIC = "/blog/parking-2026/"
BLOG_PATHS = [
    "/blog/",
    "/blog/?kind=topic",
    "/blog/?tag=议事",
    "/blog/?page=2",
    BLOG_TOPIC,
    f"{BLOG_TOPIC}?opinions=2",
    "/blog/waste-sorting-review/",  # closed for opinions
    "/blog/heating-notice/",
    "/blog/feed/",
    "/",
]
HOME_PATHS = ["/", "/about/", "/services/", "/services/guide-1/", "/search/?q=居民"]
# Both listings (one filtered), a briefing with feedback to report on and opinions, a hearing
# in consultation (with the form), a decided one, and the front page.
HEARINGS_PATHS = [
    "/briefings/",
    "/hearings/",
    "/hearings/?category=property",
    "/briefings/?year=2026",
    "/briefings/briefing-1/",
    "/hearings/garden-hearing/",
    "/hearings/parking-fee-hearing/",
    "/",
]
# The demo's pages with opinions (``hearings.demo.OPINION_PAGES``), which hold ``scale``
# times its opinions, and a briefing.
HEARINGS_OPINION_PAGES = ["briefing-1", "garden-hearing", "parking-fee-hearing"]
DEMO_RECORDS = 8  # duty.demo.RECORDS (one reopened since issue 11), once per unit of scale

# The demo holds seven votes (a motion, an election, three evaluations, two open motions),
# ``scale`` times; ``make_motions`` adds motions with ballots where a test needs more.
ROLL = 40
# The demo's open motion, which its representative has not voted on yet.
OPEN_MOTION = "关于增设电动自行车充电桩的表决"


def duty_paths():
    """The residents' duty pages, with the status page of a request that has its answer."""
    answered = DutyRecord.objects.filter(state=DutyRecordState.RESOLVED).order_by("pk").first()
    return ["/duty/", "/duty/posts/", "/duty/request/", f"/duty/request/{answered.reference}/"]


def cobuilding_paths():
    """The co-building activities (all, and of one kind) and the oldest published one's page:
    each shows at least one activity with its photo at every scale."""
    first = JointActivity.objects.published().order_by("pk").first()
    return ["/cobuilding/", "/cobuilding/?kind=culture", f"/cobuilding/{first.pk}/"]


def honour_roll_paths():
    """The honour roll, every year and last year's (the demo's titles are last year's)."""
    return ["/honour-roll/", f"/honour-roll/?year={timezone.localdate().year - 1}"]


# The volunteer teams and the community's service days this year (numbers, no names).
VOLUNTEERS_PATHS = ["/volunteers/"]


def growth_paths():
    """The pages of every module whose queries must not grow, by module."""
    return {
        "blog": BLOG_PATHS,
        "home": HOME_PATHS,
        "hearings": HEARINGS_PATHS,
        "duty": duty_paths(),
        "cobuilding": cobuilding_paths(),
        "honour_roll": honour_roll_paths(),
        "volunteers": VOLUNTEERS_PATHS,
    }


def seed(scale):
    # As every test leaves Wagtail's reference index alone (tests/conftest.py): seeding does
    # not spend a quarter of its time rebuilding it.
    with reference_index_off():
        call_command("seed_demo", scale=scale, public_only=True, force=True, stdout=StringIO())


def volume():
    """What "ten times the demo" is counted by: the public content of the modules whose
    pages list or tally it."""
    return {
        "briefings": BriefingPage.objects.live().count(),
        "hearings": HearingPage.objects.live().count(),
        "opinions on the measured pages": Opinion.objects.filter(
            page__slug__in=HEARINGS_OPINION_PAGES
        ).count(),
        "published votes": Motion.objects.published().count(),
        "open votes": Motion.objects.open().count(),
        "ballots": Ballot.objects.count(),
    }


def assert_ten_times(seeded, *names):
    """There is at least ``SCALE`` times the demo's volume of each of ``names``."""
    now = volume()
    short = {
        name: (seeded.small_volume[name], now[name])
        for name in names
        if now[name] < SCALE * seeded.small_volume[name] or not now[name]
    }
    assert not short, f"(at scale 1, at scale {SCALE}) short of {SCALE} times: {short}"


def add_ballots(motion, people, pattern):
    """Ballots for ``people`` following ``pattern`` (option indexes), written in bulk."""
    options = list(motion.options.order_by("sort_order", "pk"))
    Ballot.objects.bulk_create(
        Ballot(motion=motion, option=options[pattern[n % len(pattern)]], voter=person)
        for n, person in enumerate(people)
    )
    BallotReceipt.objects.bulk_create(
        BallotReceipt(motion=motion, person=person, channel=BallotChannel.HALL) for person in people
    )
    if motion.secret:
        # A secret vote's paper ballots are counted before it may close.
        HallCount.objects.create(motion=motion, ballots=len(people))


def make_motions(count, clerk, people, *, state=MotionState.PUBLISHED, **fields):
    made = []
    for number in range(count):
        motion = MotionFactory(title=f"第{number}号表决事项", **fields)
        perform(motion, "open", clerk)
        add_ballots(motion, people[: len(people) - number % 5], [0, 0, 1, 2])
        if state != MotionState.OPEN:
            perform(motion, "close", clerk)
        if state == MotionState.PUBLISHED:
            perform(motion, "publish_results", clerk)
        made.append(motion)
    return made


def demo_votes():
    """The demo's votes as the tests use them: its clerk and representative, the
    representatives who voted (all but the demo's), the published motions (for, against,
    abstain), and the open motion the representative has not voted on."""
    rep = Person.objects.get(user__username="rep")
    return SimpleNamespace(
        clerk=get_user_model().objects.get(username="clerk"),
        rep=rep,
        people=list(Person.objects.representatives().exclude(pk=rep.pk).order_by("pk")),
        published=list(Motion.objects.published().filter(kind=MotionKind.MOTION).order_by("pk")),
        open=Motion.objects.get(title=OPEN_MOTION, state=MotionState.OPEN),
    )
