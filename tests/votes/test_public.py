"""The public side: results hidden until published, then counts, turnout, quorum, outcome,
an accessible SVG chart and a table; drafts are not public."""

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import logged_in, ui
from votes.models import Ballot, BallotReceipt, MotionKind, MotionState, Rule

from .conftest import ENGLISH, step, vote_pattern


def page_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def titles(page, heading_id):
    section = page.select_one(f"section[aria-labelledby={heading_id}]")
    return [link.get_text(strip=True) for link in section.select("h3 a")]


@pytest.fixture
def counted(make_reps, make_motion):
    """A motion of 10 on the roll, 4 for, 1 against, 1 abstaining: carried, quorum met."""
    people = make_reps(10)
    motion = make_motion(MotionState.OPEN, title="关于加装电梯的表决", rule=Rule.SIMPLE)
    vote_pattern(motion, people, [4, 1, 1])
    return motion


def assert_no_counts(page):
    assert page.select_one(".results-table") is None
    assert page.select_one("figure.chart") is None
    assert page.select_one("#result-heading") is None
    assert ui("en", "Turnout") not in page.get_text()


class TestHiddenUntilPublished:
    def test_open(self, counted, client):
        page = page_of(client.get(f"/votes/{counted.pk}/", **ENGLISH))
        assert_no_counts(page)
        assert ui("en", "Results are published once the vote has closed.") in page.get_text()

    def test_closed(self, counted, client, clerk):
        step(counted, "close", by=clerk)
        page = page_of(client.get(f"/votes/{counted.pk}/", **ENGLISH))
        assert_no_counts(page)
        assert ui("en", "The vote has closed. Results will be published here.") in page.get_text()
        # Not even a voter sees anything more.
        voter = BallotReceipt.objects.first().person
        assert_no_counts(page_of(logged_in(voter.user).get(f"/votes/{counted.pk}/")))

    def test_published(self, counted, client, clerk):
        step(counted, "close", "publish_results", by=clerk)
        page = page_of(client.get(f"/votes/{counted.pk}/", **ENGLISH))
        text = " ".join(page.get_text().split())
        assert ui("en", "Carried.") in text
        facts = page.select("section[aria-labelledby=result-heading] dl dd")
        turnout, quorum = (" ".join(dd.get_text().split()) for dd in facts)
        assert turnout == f"{ui('en', '%(cast)s of %(roll)s eligible', cast=6, roll=10)} (60%)"
        assert quorum == ui("en", "reached (at least %(needed)s needed)", needed=5)

        table = page.select_one("table.results-table")
        assert table.caption.get_text(strip=True) == ui("en", "Votes per option")
        rows = [
            [cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")
        ]
        assert rows == [["赞成", "4", "67%"], ["反对", "1", "17%"], ["弃权", "1", "17%"]]

        chart = page.select_one("figure.chart")
        assert chart.figcaption.get_text(strip=True) == "关于加装电梯的表决"
        rows = [
            (
                row.select_one(".chart__label").get_text(strip=True),
                " ".join(row.select_one(".chart__value").get_text().split()),
            )
            for row in chart.select(".chart__row")
        ]
        assert rows == [
            # English, the language asked for (its plural: "votes").
            ("赞成", "4 votes (67%)"),
            ("反对", "1 vote (17%)"),
            ("弃权", "1 vote (17%)"),
        ]
        # Drawn to scale and to the screen's width: each bar its share of the votes cast, in
        # a track as wide as the page allows (no fixed width in pixels).
        tracks = chart.select("svg.chart__track")
        assert all(
            track["width"] == "100%" and track["viewbox"] == "0 0 100 10" for track in tracks
        )
        assert all(track["aria-hidden"] == "true" for track in tracks)
        widths = [float(track.select_one("rect.chart__bar")["width"]) for track in tracks]
        assert widths == [66.7, 16.7, 16.7]
        # Coloured by meaning: for and against differ.
        colours = [track.select_one("rect.chart__bar")["fill"] for track in tracks]
        assert len(set(colours)) == 3
        # Drawn on the server: the page needs no script for it.
        assert page.select("script[src*=chart]") == []

    def test_published_without_quorum(self, make_reps, make_motion, client, clerk):
        people = make_reps(10)
        motion = make_motion(MotionState.OPEN)
        vote_pattern(motion, people, [4, 0, 0])
        step(motion, "close", "publish_results", by=clerk)
        page = page_of(client.get(f"/votes/{motion.pk}/", **ENGLISH))
        text = " ".join(page.get_text().split())
        assert ui("en", "Not valid: the quorum was not reached.") in text
        assert ui("en", "not reached (%(needed)s needed)", needed=5) in text

    def test_in_chinese_by_default(self, counted, client, clerk):
        step(counted, "close", "publish_results", by=clerk)
        page = page_of(client.get(f"/votes/{counted.pk}/"))
        assert ui("zh-hans", "Carried.") in page.get_text()
        assert page.html["lang"] == "zh-hans"


class TestIndex:
    def test_open_and_published_only(self, make_rep, make_motion, clerk, client):
        make_rep()
        make_motion(MotionState.DRAFT, title="草稿议案")
        make_motion(MotionState.OPEN, title="正在表决的议案")
        make_motion(MotionState.CLOSED, title="已结束未公布的议案")
        make_motion(MotionState.PUBLISHED, title="已公布结果的议案")
        page = page_of(client.get("/votes/", **ENGLISH))
        assert titles(page, "open-heading") == ["正在表决的议案"]
        assert titles(page, "results-heading") == ["已公布结果的议案"]
        text = page.get_text()
        assert "草稿议案" not in text
        assert "已结束未公布的议案" not in text
        assert page.select_one(".results-table") is None

    def test_empty(self, db, client):
        page = page_of(client.get("/votes/", **ENGLISH))
        assert ui("en", "No vote is open at the moment.") in page.get_text()
        assert ui("en", "No results have been published yet.") in page.get_text()

    def test_results_are_paged_newest_first(self, make_motion, client):
        for number in range(13):
            make_motion(MotionState.PUBLISHED, title=f"结果{number:02d}")
        first = page_of(client.get("/votes/"))
        assert titles(first, "results-heading") == [f"结果{n:02d}" for n in range(12, 2, -1)]
        second = page_of(client.get("/votes/?page=2"))
        assert titles(second, "results-heading") == ["结果02", "结果01", "结果00"]
        assert page_of(client.get("/votes/?page=junk")).select("section h3")

    def test_open_votes_are_paged_apart_from_the_results(self, make_motion, client):
        for number in range(12):
            make_motion(MotionState.OPEN, title=f"进行{number:02d}")
        make_motion(MotionState.PUBLISHED, title="结果")
        first = page_of(client.get("/votes/"))
        assert len(titles(first, "open-heading")) == 10
        second = page_of(client.get("/votes/?open=2"))
        assert len(titles(second, "open-heading")) == 2
        assert set(titles(first, "open-heading") + titles(second, "open-heading")) == {
            f"进行{n:02d}" for n in range(12)
        }
        # Each page of open votes still shows the results, and its own navigation.
        assert titles(second, "results-heading") == ["结果"]
        assert second.select_one("nav.pagination a[rel=prev]")["href"] == "?open=1"

    def test_an_evaluation_and_an_election_are_shown_as_such(self, make_rep, make_motion, client):
        cadre = make_rep(account=False, is_representative=False, is_cadre=True)
        make_motion(
            MotionState.OPEN,
            kind=MotionKind.EVALUATION,
            subject=cadre,
            title="年度测评",
            secret=True,
        )
        page = page_of(client.get("/votes/", **ENGLISH))
        item = page.select_one("section[aria-labelledby=open-heading] li").get_text()
        assert ui("en", "evaluation of a cadre").capitalize() in item
        assert ui("en", "secret ballot") in item


class TestNotPublic:
    def test_a_draft_is_not_found(self, make_motion, client, clerk):
        draft = make_motion(MotionState.DRAFT)
        assert client.get(f"/votes/{draft.pk}/").status_code == 404
        # Not even for the clerk who wrote it, on the public site.
        assert logged_in(clerk).get(f"/votes/{draft.pk}/").status_code == 404

    def test_no_such_vote(self, db, client):
        assert client.get("/votes/999999/").status_code == 404
        assert client.get("/votes/99999999999999999999999/").status_code == 404

    def test_other_methods_are_refused(self, make_motion, client):
        motion = make_motion(MotionState.OPEN)
        assert client.put(f"/votes/{motion.pk}/").status_code == 405
        assert client.post("/votes/").status_code == 405


@pytest.mark.usefixtures("site_settings")
class TestAPublishedResultsCounts:
    """A published result's counts are read once and kept until its page is purged
    (``votes.views._result``): every reader after the first reads no ballot."""

    @staticmethod
    def rows(response):
        table = page_of(response).select_one("table.results-table")
        return [
            [cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")
        ]

    def test_read_once(self, counted, client, clerk):
        step(counted, "close", "publish_results", by=clerk)
        path = f"/votes/{counted.pk}/"
        first = self.rows(client.get(path))
        with CaptureQueriesContext(connection) as again:
            assert self.rows(client.get(path)) == first
        counting = [
            query["sql"]
            for query in again.captured_queries
            if 'FROM "votes_ballot"' in query["sql"] or 'FROM "votes_rollentry"' in query["sql"]
        ]
        assert counting == []
        assert first == [["赞成", "4", "67%"], ["反对", "1", "17%"], ["弃权", "1", "17%"]]

    def test_counted_again_after_a_save_purges_the_page(self, counted, client, clerk):
        step(counted, "close", "publish_results", by=clerk)
        path = f"/votes/{counted.pk}/"
        assert self.rows(client.get(path))[1] == ["反对", "1", "17%"]
        # Behind the site (no save, so no purge): the kept counts are shown.
        against = counted.options.get(sort_order=1)
        Ballot.objects.bulk_create([Ballot(motion=counted, option=against)])
        assert self.rows(client.get(path))[1] == ["反对", "1", "17%"]
        # A save of a ballot (or an option, a hall count, the motion) purges the page.
        Ballot.objects.create(motion=counted, option=against)
        assert self.rows(client.get(path))[1] == ["反对", "3", "38%"]
