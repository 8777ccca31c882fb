"""The design's quality bar: a public page costs at most 12 queries, cold, at any volume."""

from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

BUDGET = 12
PUBLIC_PATHS = ["/", "/about/", "/services/", "/services/guide-1/", "/search/?q=居民"]


def seed(scale):
    call_command("seed_demo", scale=scale, force=True, stdout=StringIO())


def go_cold():
    """Forget what earlier requests left in the shared cache (pages, site root paths).

    The content types stay in the process's memory, as they do in a running site after its
    first request; what is measured is a page nobody has asked for since the cache emptied.
    """
    cache.clear()


class QueryBudgetAtScaleTenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed(10)

    @pytest.fixture(autouse=True)
    def _budget(self, django_assert_max_num_queries):
        self.assert_max_queries = django_assert_max_num_queries

    def assert_within_budget(self, path):
        go_cold()
        with self.assert_max_queries(BUDGET):
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return response

    def test_front_page(self):
        self.assert_within_budget("/")

    def test_about_page(self):
        self.assert_within_budget("/about/")

    def test_services_page(self):
        # The guides index: fifty guides below it at this scale.
        self.assert_within_budget("/services/")

    def test_deep_page(self):
        # Three levels below the site root: routing must not cost queries per level.
        self.assert_within_budget("/services/guide-1/")

    def test_search(self):
        response = self.assert_within_budget("/search/?q=居民")
        # Enough results to need the pager, so that paging is inside the budget too.
        self.assertContains(response, 'rel="next"')


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_amount_of_content(client):
    def count(path):
        go_cold()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    seed(1)
    small = {path: count(path) for path in PUBLIC_PATHS}
    seed(10)
    large = {path: count(path) for path in PUBLIC_PATHS}

    assert large == small
    assert small["/"] <= BUDGET
