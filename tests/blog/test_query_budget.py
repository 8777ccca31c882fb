"""The blog column's public pages within the query budget (12, cold) at ten times the demo
content, not growing with it; and the demo showing every state of the column."""

from io import StringIO

import pytest
from bs4 import BeautifulSoup

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import BlogKind, BlogPage
from opinions.models import Opinion, OpinionState

BUDGET = 12
TOPIC = "/blog/parking-2026/"
PATHS = [
    "/blog/",
    "/blog/?kind=topic",
    "/blog/?tag=议事",
    "/blog/?page=2",
    TOPIC,
    f"{TOPIC}?opinions=2",
    "/blog/waste-sorting-review/",  # closed for opinions
    "/blog/heating-notice/",
    "/blog/feed/",
    "/",
]


def seed(scale):
    call_command("seed_demo", scale=scale, force=True, stdout=StringIO())


def count_queries(client, path):
    """Queries for ``path`` on a cold cache (content types stay warm in the process, as in
    a running site after its first request). Returns the response and the SQL."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response, [query["sql"] for query in queries.captured_queries]


def over_budget(path, sql):
    listing = "\n".join(f"{n}. {statement}" for n, statement in enumerate(sql, 1))
    return f"{path} took {len(sql)} queries (budget {BUDGET}):\n{listing}"


class QueryBudgetAtScaleTenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed(10)

    def test_there_is_ten_times_the_content(self):
        self.assertGreaterEqual(BlogPage.objects.live().count(), 80)
        self.assertGreaterEqual(
            Opinion.objects.filter(page__url_path__contains="parking").count(), 50
        )

    def assert_within_budget(self, path):
        response, sql = count_queries(self.client, path)
        self.assertLessEqual(len(sql), BUDGET, over_budget(path, sql))
        return response

    def test_the_index(self):
        response = self.assert_within_budget("/blog/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        self.assertEqual(len(page.select(".post-list .post")), 10)
        self.assertIsNotNone(page.select_one("a[rel=next]"))
        self.assertTrue(page.select(".notice-board__item"))

    def test_the_index_filtered_by_kind(self):
        self.assert_within_budget("/blog/?kind=topic")

    def test_the_index_filtered_by_tag(self):
        self.assert_within_budget("/blog/?tag=议事")

    def test_the_index_page_two(self):
        self.assert_within_budget("/blog/?page=2")

    def test_a_topic_with_opinions(self):
        response = self.assert_within_budget(TOPIC)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        self.assertTrue(page.select(".opinion"))
        self.assertIsNotNone(page.select_one("form.opinion-form"))

    def test_a_topic_with_opinions_page_two(self):
        self.assert_within_budget(f"{TOPIC}?opinions=2")

    def test_a_closed_topic(self):
        self.assert_within_budget("/blog/waste-sorting-review/")

    def test_a_notice(self):
        self.assert_within_budget("/blog/heating-notice/")

    def test_the_feed(self):
        self.assert_within_budget("/blog/feed/")

    def test_the_front_page(self):
        self.assert_within_budget("/")

    def test_a_rejected_opinion_form_is_within_budget_too(self):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(TOPIC, {"author_name": "", "body": "x", "website": ""})
        self.assertEqual(response.status_code, 400)
        sql = [query["sql"] for query in queries.captured_queries]
        # The rate limit reads the cache only; the form is the same page as a GET.
        self.assertLessEqual(len(sql), BUDGET, over_budget(f"POST {TOPIC}", sql))


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_amount_of_content(client):
    seed(1)
    small = {path: len(count_queries(client, path)[1]) for path in PATHS}
    seed(10)
    large = {path: len(count_queries(client, path)[1]) for path in PATHS}

    assert large == small
    assert max(small.values()) <= BUDGET, small


@pytest.mark.django_db
class TestDemoShowsEveryState:
    @pytest.fixture(autouse=True)
    def _seed(self):
        seed(1)

    def test_opinions_in_every_state(self):
        states = set(Opinion.objects.values_list("state", flat=True))
        assert states == set(OpinionState.values)

    def test_promoted_opinions_say_who_promoted_them_and_when(self):
        promoted = Opinion.objects.promoted()
        assert promoted.exists()
        for opinion in promoted:
            assert opinion.promoted_by.username == "moderator"
            assert opinion.promoted_at is not None
        assert Opinion.objects.filter(state=OpinionState.REJECTED, moderated_by__isnull=False)

    def test_topics_open_and_closed(self):
        topics = [page for page in BlogPage.objects.live() if page.kind == BlogKind.TOPIC]
        assert any(page.accepts_opinions() for page in topics)
        assert any(not page.accepts_opinions() for page in topics)
        closed = next(page for page in topics if not page.accepts_opinions())
        assert closed.opinions_close_at < timezone.now()
        assert Opinion.objects.shown().filter(page=closed).exists()

    def test_every_kind_of_post(self):
        kinds = set(BlogPage.objects.live().values_list("kind", flat=True))
        assert kinds == set(BlogKind.values)

    def test_the_notice_board_is_filled(self, client):
        page = BeautifulSoup(client.get("/").content.decode(), "html.parser")
        assert len(page.select(".notice-board__item")) == Opinion.objects.promoted().count()

    def test_the_demo_markup_opinion_is_pending_and_not_shown(self, client):
        marked_up = Opinion.objects.get(author_name="<b>测试</b>")
        assert marked_up.state == OpinionState.PENDING
        html = client.get(marked_up.page.url).content.decode()
        assert "<script>alert" not in html
        assert "测试</b>" not in html

    def test_seeding_twice_adds_no_opinions(self):
        before = Opinion.objects.count()
        seed(1)
        assert Opinion.objects.count() == before
