"""The public vote pages within the query budget (12, cold) at ten times the demo's votes,
and not growing with the number of motions or ballots."""

from bs4 import BeautifulSoup

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from audit.transitions import perform
from core import roles
from people.factories import PersonFactory, UserFactory
from people.models import Person
from votes.factories import MotionFactory
from votes.models import Ballot, BallotReceipt, Channel, Kind, Motion, State

BUDGET = 12
# The demo holds six votes (a motion, an election, three evaluations, one open motion).
MOTIONS = 60
ROLL = 40


def count_queries(client, path):
    """Queries for ``path`` on a cold page cache (the site and its settings stay warm in the
    process, as in a running site after its first request)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response, [query["sql"] for query in queries.captured_queries]


def listing(path, sql):
    lines = "\n".join(f"{n}. {statement}" for n, statement in enumerate(sql, 1))
    return f"{path} took {len(sql)} queries (budget {BUDGET}):\n{lines}"


def add_ballots(motion, people, pattern):
    """Ballots for ``people`` following ``pattern`` (option indexes), written in bulk."""
    options = list(motion.options.order_by("sort_order", "pk"))
    Ballot.objects.bulk_create(
        Ballot(motion=motion, option=options[pattern[n % len(pattern)]], voter=person)
        for n, person in enumerate(people)
    )
    BallotReceipt.objects.bulk_create(
        BallotReceipt(motion=motion, person=person, channel=Channel.HALL) for person in people
    )


def make_motions(count, clerk, people, *, state=State.PUBLISHED, **fields):
    made = []
    for number in range(count):
        motion = MotionFactory(title=f"第{number}号表决事项", **fields)
        perform(motion, "open", clerk)
        add_ballots(motion, people[: len(people) - number % 5], [0, 0, 1, 2])
        if state != State.OPEN:
            perform(motion, "close", clerk)
        if state == State.PUBLISHED:
            perform(motion, "publish_results", clerk)
        made.append(motion)
    return made


class QueryBudgetAtScaleTenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = UserFactory(username="clerk", groups=[roles.MEETING_CLERKS])
        rep_user = UserFactory(username="rep", groups=[roles.REPRESENTATIVES])
        cls.rep = PersonFactory(name="陈国强", user=rep_user)
        cls.people = PersonFactory.create_batch(ROLL - 1)
        cadre = PersonFactory(is_representative=False, is_cadre=True)
        cls.published = make_motions(MOTIONS, cls.clerk, cls.people)
        make_motions(10, cls.clerk, cls.people, state=State.OPEN)
        make_motions(5, cls.clerk, cls.people, kind=Kind.EVALUATION, subject=cadre, secret=True)
        cls.open = MotionFactory(title="关于增设电动自行车充电桩的表决")
        perform(cls.open, "open", cls.clerk)
        add_ballots(cls.open, cls.people[:20], [0, 1])

    def assert_within_budget(self, path, client=None):
        response, sql = count_queries(client or self.client, path)
        self.assertLessEqual(len(sql), BUDGET, listing(path, sql))
        return response, sql

    def test_there_is_ten_times_the_content(self):
        self.assertGreaterEqual(Motion.objects.filter(state=State.PUBLISHED).count(), MOTIONS)
        self.assertGreaterEqual(Ballot.objects.count(), MOTIONS * (ROLL - 5))

    def test_the_index(self):
        response, _sql = self.assert_within_budget("/votes/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        self.assertEqual(
            len(page.select("section[aria-labelledby=results-heading] li.meeting")), 20
        )
        self.assertEqual(len(page.select("section[aria-labelledby=open-heading] li.meeting")), 11)
        self.assert_within_budget("/votes/?page=3")

    def test_a_published_result(self):
        response, _sql = self.assert_within_budget(f"/votes/{self.published[0].pk}/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        self.assertEqual(len(page.select(".results-table tbody tr")), 3)

    def test_an_open_motion_for_a_visitor_and_for_a_representative(self):
        self.assert_within_budget(f"/votes/{self.open.pk}/")
        self.client.force_login(self.rep.user)
        response, _sql = self.assert_within_budget(f"/votes/{self.open.pk}/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        self.assertEqual(len(page.select("form input[name=option]")), 3)

    def test_the_result_page_does_not_grow_with_ballots(self):
        motion = self.published[1]
        count_queries(self.client, "/votes/")  # the process warms up once
        _response, before = count_queries(self.client, f"/votes/{motion.pk}/")
        # Ten times the ballots on the same motion (new people, added to its roll).
        extra = PersonFactory.create_batch(10 * ROLL)
        motion.roll.model.objects.bulk_create(
            motion.roll.model(motion=motion, person=person) for person in extra
        )
        add_ballots(motion, extra, [0, 1, 2])
        response, after = count_queries(self.client, f"/votes/{motion.pk}/")
        self.assertEqual(len(after), len(before), listing("after", after))
        votes = [
            int(row.select("td")[0].get_text())
            for row in BeautifulSoup(response.content.decode(), "html.parser").select(
                ".results-table tbody tr"
            )
        ]
        self.assertEqual(sum(votes), Ballot.objects.filter(motion=motion).count())

    def test_the_index_does_not_grow_with_motions(self):
        count_queries(self.client, f"/votes/{self.open.pk}/")  # the process warms up once
        _response, before = count_queries(self.client, "/votes/")
        make_motions(20, self.clerk, self.people[:5])
        make_motions(20, self.clerk, self.people[:5], state=State.OPEN)
        _response, after = count_queries(self.client, "/votes/")
        self.assertEqual(len(after), len(before), listing("after", after))
        self.assertGreater(Person.objects.count(), ROLL)
