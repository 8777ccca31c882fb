"""The public pages of briefings and hearings cost at most 12 queries, cold, whatever the
amount of content: measured after ``seed_demo --scale 10`` and with ten times the demo's
briefings, hearings, feedback items and opinions added on top."""

import datetime
from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Page

from audit.transitions import perform
from hearings.factories import BriefingPageFactory, HearingPageFactory
from hearings.models import BriefingIndexPage, Category, HearingIndexPage
from opinions.factories import OpinionFactory
from people.factories import UserFactory

BUDGET = 12
# The pages measured: both listings (one filtered), a briefing with feedback to report on and
# opinions, a hearing in consultation (with the form), a decided one, and the front page.
PATHS = [
    "/briefings/",
    "/hearings/",
    "/hearings/?category=property",
    "/briefings/?year=2026",
    "/briefings/briefing-1/",
    "/hearings/garden-hearing/",
    "/hearings/parking-fee-hearing/",
    "/",
]
OPINION_PAGES = ["briefing-1", "garden-hearing", "parking-fee-hearing"]


def seed(scale):
    call_command("seed_demo", scale=scale, force=True, stdout=StringIO())


def add_volume(times):
    """``times`` more of what the demo has: briefings with feedback, hearings in every
    state, and approved opinions on the pages that are measured."""
    briefings = BriefingIndexPage.objects.get()
    hearings = HearingIndexPage.objects.get()
    moderator = UserFactory(username="volume-moderator", is_superuser=True)
    start = timezone.now() - datetime.timedelta(days=400)
    for n in range(4 * times):
        BriefingPageFactory(
            parent=briefings,
            starts_at=start - datetime.timedelta(days=30 * n),
            feedback=[(f"未答复的意见{n}", ""), (f"已答复的意见{n}", "已办理")],
        )
        BriefingPageFactory(
            parent=briefings, starts_at=timezone.now() + datetime.timedelta(days=40 + n)
        )
        state = ("announced", "open", "closed", "decided")[n % 4]
        HearingPageFactory(
            parent=hearings,
            state=state,
            category=(Category.PROPERTY, Category.WELFARE)[n % 2],
            decided_by=moderator,
        )
    for page in Page.objects.filter(slug__in=OPINION_PAGES):
        for _ in range(2 * times):
            perform(OpinionFactory(page=page), "approve", moderator)


def go_cold():
    """As in tests/home/test_query_budget.py: the shared cache is emptied (pages, site root
    paths); content types stay warm in the process, as in a running site."""
    cache.clear()


class HearingsQueryBudgetAtScaleTenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed(10)
        add_volume(10)

    @pytest.fixture(autouse=True)
    def _budget(self, django_assert_max_num_queries):
        self.assert_max_queries = django_assert_max_num_queries

    def assert_within_budget(self, path):
        go_cold()
        with self.assert_max_queries(BUDGET):
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return response

    def test_briefings_index(self):
        response = self.assert_within_budget("/briefings/")
        # Enough past briefings to need the pager: paging is inside the budget.
        self.assertContains(response, 'rel="next"')

    def test_hearings_index(self):
        response = self.assert_within_budget("/hearings/")
        self.assertContains(response, 'rel="next"')

    def test_hearings_index_filtered_by_category(self):
        self.assert_within_budget("/hearings/?category=property")

    def test_briefings_index_filtered_by_year(self):
        self.assert_within_budget("/briefings/?year=2026")

    def test_briefing_page(self):
        response = self.assert_within_budget("/briefings/briefing-1/")
        # Its "you said, we did" reaches back over many briefings' open items.
        self.assertGreater(response.content.decode().count("ysws__item--open"), 20)

    def test_hearing_page_in_consultation(self):
        response = self.assert_within_budget("/hearings/garden-hearing/")
        self.assertContains(response, 'class="form opinion-form"')

    def test_hearing_page_decided(self):
        self.assert_within_budget("/hearings/parking-fee-hearing/")

    def test_front_page(self):
        self.assert_within_budget("/")


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_amount_of_content(client):
    def count(path):
        go_cold()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    seed(1)
    small = {path: count(path) for path in PATHS}
    seed(10)
    add_volume(10)
    large = {path: count(path) for path in PATHS}

    assert large == small
    over = {path: queries for path, queries in small.items() if queries > BUDGET}
    assert not over, f"over the budget of {BUDGET} queries: {over}"
