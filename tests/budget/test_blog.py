"""The blog column's public pages within the query budget (12, cold) at ten times the demo
content, not growing with it."""

from bs4 import BeautifulSoup

from blog.models import BlogPage
from opinions.models import Opinion
from tests.budget.content import BLOG_PATHS, BLOG_TOPIC
from tests.support import BUDGET, assert_max_queries, count_queries

TOPIC = BLOG_TOPIC


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert BlogPage.objects.live().count() >= 80
        assert Opinion.objects.filter(page__url_path__contains="parking").count() >= 50

    def test_the_index(self, seeded, client):
        response = assert_max_queries(client, "/blog/")
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert len(page.select(".post-list .post")) == 10
        assert page.select_one("a[rel=next]") is not None
        assert page.select(".notice-board__item")

    def test_the_index_filtered_by_kind(self, seeded, client):
        assert_max_queries(client, "/blog/?kind=topic")

    def test_the_index_filtered_by_tag(self, seeded, client):
        assert_max_queries(client, "/blog/?tag=议事")

    def test_the_index_page_two(self, seeded, client):
        assert_max_queries(client, "/blog/?page=2")

    def test_a_topic_with_opinions(self, seeded, client):
        response = assert_max_queries(client, TOPIC)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        assert page.select(".opinion")
        assert page.select_one("form.opinion-form") is not None

    def test_a_topic_with_opinions_page_two(self, seeded, client):
        assert_max_queries(client, f"{TOPIC}?opinions=2")

    def test_a_closed_topic(self, seeded, client):
        assert_max_queries(client, "/blog/waste-sorting-review/")

    def test_a_notice(self, seeded, client):
        assert_max_queries(client, "/blog/heating-notice/")

    def test_the_feed(self, seeded, client):
        assert_max_queries(client, "/blog/feed/")

    def test_the_front_page(self, seeded, client):
        assert_max_queries(client, "/")

    def test_a_rejected_opinion_form_is_within_budget_too(self, seeded, client):
        # The rate limit reads the cache only; the form is the same page as a GET.
        assert_max_queries(
            client,
            TOPIC,
            method="post",
            data={"author_name": "", "body": "x", "website": ""},
            status=400,
        )


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    small = dict(zip(BLOG_PATHS, seeded.small["blog"], strict=True))
    large = {path: len(count_queries(client, path)[1]) for path in BLOG_PATHS}

    assert BlogPage.objects.live().count() >= 80
    assert large == small
    assert max(small.values()) <= BUDGET, small


class TestTheOpinionStatusPage:
    def test_within_budget_with_a_response(self, seeded, client):
        opinion = Opinion.objects.exclude(response="").filter(state="promoted").first()
        response = assert_max_queries(client, f"/opinions/{opinion.reference}/")
        assert opinion.response in response.content.decode()

    def test_an_unknown_reference_within_budget(self, seeded, client):
        assert_max_queries(client, "/opinions/K7WP-3MXR-Q2TD/", status=404)
