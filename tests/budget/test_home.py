"""The design's quality bar: a public page costs at most 12 queries, cold, at any volume."""

import pytest

from home.models import StandardPage
from tests.budget.content import HOME_PATHS
from tests.support import BUDGET, assert_max_queries, count_queries


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert StandardPage.objects.filter(slug__startswith="guide-").count() == 50

    def test_front_page(self, seeded, client):
        assert_max_queries(client, "/")

    def test_about_page(self, seeded, client):
        assert_max_queries(client, "/about/")

    def test_services_page(self, seeded, client):
        # The guides index: fifty guides below it at this scale.
        assert_max_queries(client, "/services/")

    def test_deep_page(self, seeded, client):
        # Three levels below the site root: routing must not cost queries per level.
        assert_max_queries(client, "/services/guide-1/")

    @pytest.mark.search_index
    def test_search(self, seeded, client):
        response = assert_max_queries(client, "/search/?q=居民")
        # Enough results to need the pager, so that paging is inside the budget too.
        assert 'rel="next"' in response.content.decode()


@pytest.mark.search_index
def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    small = dict(zip(HOME_PATHS, seeded.small["home"], strict=True))
    large = {path: len(count_queries(client, path)[1]) for path in HOME_PATHS}

    assert large == small
    assert small["/"] <= BUDGET
