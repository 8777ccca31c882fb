"""The public vote pages within the query budget (12, cold) at ten times the demo's votes,
and not growing with the number of motions or ballots."""

from bs4 import BeautifulSoup

from django.contrib.auth import get_user_model

from appraisals.factories import AppraisalFactory
from core.transitions import perform
from people.factories import CadreFactory, PersonFactory
from people.models import Person
from tests.budget.content import ROLL, SCALE, add_ballots, assert_ten_times, make_motions
from tests.support import BUDGET, count_queries, over_budget
from votes.models import Ballot, Motion, MotionKind, MotionState
from votes.views import PER_PAGE


def assert_within_budget(client, path):
    response, sql = count_queries(client, path)
    assert len(sql) <= BUDGET, over_budget(path, sql)
    return response, sql


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert_ten_times(seeded, "published votes", "open votes", "ballots")
        # Enough results for three pages of the index.
        assert Motion.objects.filter(state=MotionState.PUBLISHED).count() > 40

    def test_the_index(self, seeded, client):
        response, _sql = assert_within_budget(client, "/votes/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        results = page.select("section[aria-labelledby=results-heading] li.meeting")
        assert len(results) == PER_PAGE
        # The demo's two open ones (a named motion and a secret one), ten times: a page of them
        # at a time, like the results, so that the page costs the same whatever their number.
        assert SCALE * seeded.small_volume["open votes"] == 2 * SCALE > PER_PAGE
        open_votes = page.select("section[aria-labelledby=open-heading] li.meeting")
        assert len(open_votes) == PER_PAGE
        response, _sql = assert_within_budget(client, "/votes/?open=2")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        open_votes += page.select("section[aria-labelledby=open-heading] li.meeting")
        titles = [item.h3.get_text(strip=True) for item in open_votes]
        assert len(set(titles)) == len(titles) == 2 * SCALE
        assert_within_budget(client, "/votes/?page=3")

    def test_a_published_result(self, seeded, client):
        response, _sql = assert_within_budget(client, f"/votes/{seeded.votes.published[0].pk}/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert len(page.select(".results-table tbody tr")) == 3

    def test_an_open_motion_for_a_visitor_and_for_a_representative(self, seeded, client):
        votes = seeded.votes
        assert_within_budget(client, f"/votes/{votes.open.pk}/")
        client.force_login(votes.rep.user)
        response, _sql = assert_within_budget(client, f"/votes/{votes.open.pk}/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert len(page.select("form input[name=option]")) == 3

    def test_the_result_page_does_not_grow_with_ballots(self, seeded, client):
        motion = seeded.votes.published[1]
        count_queries(client, "/votes/")  # the process warms up once
        _response, before = count_queries(client, f"/votes/{motion.pk}/")
        # Ten times the ballots on the same motion (new people, added to its roll).
        extra = PersonFactory.create_batch(10 * ROLL)
        motion.roll.model.objects.bulk_create(
            motion.roll.model(motion=motion, person=person) for person in extra
        )
        add_ballots(motion, extra, [0, 1, 2])
        response, after = count_queries(client, f"/votes/{motion.pk}/")
        assert len(after) == len(before), over_budget("after", after)
        votes = [
            int(row.select("td")[0].get_text())
            for row in BeautifulSoup(response.content.decode(), "html.parser").select(
                ".results-table tbody tr"
            )
        ]
        assert sum(votes) == Ballot.objects.filter(motion=motion).count()

    def test_the_index_does_not_grow_with_motions(self, seeded, client):
        votes = seeded.votes
        count_queries(client, f"/votes/{votes.open.pk}/")  # the process warms up once
        _response, before = count_queries(client, "/votes/")
        make_motions(20, votes.clerk, votes.people[:5])
        make_motions(20, votes.clerk, votes.people[:5], state=MotionState.OPEN)
        _response, after = count_queries(client, "/votes/")
        assert len(after) == len(before), over_budget("after", after)
        assert Person.objects.count() > ROLL

    def test_the_index_for_a_representative_marks_what_they_voted_on(self, seeded, client):
        """The "voted" marks cost one query for the representative's receipts, however many
        motions are open."""
        votes = seeded.votes
        client.force_login(votes.rep.user)
        count_queries(client, f"/votes/{votes.open.pk}/")  # the process warms up once
        response, before = assert_within_budget(client, "/votes/")
        receipts = [query for query in before if "votes_ballotreceipt" in query]
        assert len(receipts) == 1, over_budget("/votes/", before)
        make_motions(20, votes.clerk, votes.people[:5], state=MotionState.OPEN)
        _response, after = assert_within_budget(client, "/votes/")
        assert len(after) == len(before), over_budget("after", after)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert page.select("section[aria-labelledby=open-heading] li.meeting")


class TestAnEvaluationWithItsDebriefing:
    """The debriefing a representative on the roll reads on an evaluation's page (given by
    the appraisals app through ``votes.api.register_evaluation_brief``) costs one query."""

    def test_within_budget_for_a_representative_and_a_clerk(self, seeded, client):
        votes = seeded.votes
        cadre = CadreFactory(name="预算干部")
        appraisal = AppraisalFactory(cadre=cadre, debriefing="本年度述职报告：预算测试。")
        perform(appraisal, "record_debriefing", get_user_model().objects.get(username="party"))
        (evaluation,) = make_motions(
            1,
            votes.clerk,
            votes.people,
            state=MotionState.OPEN,
            kind=MotionKind.EVALUATION,
            subject=cadre,
        )
        path = f"/votes/{evaluation.pk}/"
        count_queries(client, path)  # the process warms up once

        client.force_login(votes.rep.user)
        response, _sql = assert_within_budget(client, path)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert "本年度述职报告：预算测试。" in page.select_one("section.brief").get_text()

        # Staff who may read motions: the debriefing costs them one query too (what their
        # admin bar costs on every page of the site is theirs, not the page's).
        client.force_login(votes.clerk)
        count_queries(client, path)  # the clerk's admin profile is made once
        _response, plain = count_queries(client, f"/votes/{votes.open.pk}/")
        response, sql = count_queries(client, path)
        assert len(sql) <= len(plain) + 1, over_budget(path, sql, len(plain) + 1)
        assert "本年度述职报告" in response.content.decode()
