"""The public pages of briefings and hearings cost at most 12 queries, cold, whatever the
amount of content: measured after ``seed_demo --scale 10``, which holds ten times the demo's
briefings, hearings, feedback items and opinions."""

from tests.budget.content import HEARINGS_PATHS, assert_ten_times
from tests.support import BUDGET, assert_max_queries, count_queries


def assert_ten_times_the_content(seeded):
    assert_ten_times(seeded, "briefings", "hearings", "opinions on the measured pages")


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert_ten_times_the_content(seeded)

    def test_briefings_index(self, seeded, client):
        response = assert_max_queries(client, "/briefings/")
        # Enough past briefings to need the pager: paging is inside the budget.
        assert 'rel="next"' in response.content.decode()

    def test_hearings_index(self, seeded, client):
        response = assert_max_queries(client, "/hearings/")
        assert 'rel="next"' in response.content.decode()

    def test_hearings_index_filtered_by_category(self, seeded, client):
        assert_max_queries(client, "/hearings/?category=property")

    def test_briefings_index_filtered_by_year(self, seeded, client):
        assert_max_queries(client, "/briefings/?year=2026")

    def test_briefing_page(self, seeded, client):
        response = assert_max_queries(client, "/briefings/briefing-1/")
        # Its "you said, we did" reaches back over many briefings' open items.
        assert response.content.decode().count("ysws__item--open") > 20

    def test_hearing_page_in_consultation(self, seeded, client):
        response = assert_max_queries(client, "/hearings/garden-hearing/")
        assert 'class="form opinion-form"' in response.content.decode()

    def test_hearing_page_decided(self, seeded, client):
        assert_max_queries(client, "/hearings/parking-fee-hearing/")

    def test_front_page(self, seeded, client):
        assert_max_queries(client, "/")


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    small = dict(zip(HEARINGS_PATHS, seeded.small["hearings"], strict=True))
    large = {path: len(count_queries(client, path)[1]) for path in HEARINGS_PATHS}

    assert_ten_times_the_content(seeded)
    assert large == small
    over = {path: queries for path, queries in small.items() if queries > BUDGET}
    assert not over, f"over the budget of {BUDGET} queries: {over}"
