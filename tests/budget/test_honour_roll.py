"""The design's quality bar on the honour roll: at most 12 queries, cold, with ten times the
demo's buildings and titles, and the same number as with the demo."""

from buildings.models import Title
from tests.budget.content import SCALE, honour_roll_paths
from tests.support import BUDGET, assert_max_queries, count_queries

# The demo awards one title a building from last year's assessments, for six buildings.
DEMO_TITLES = 6


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert Title.objects.count() >= SCALE * DEMO_TITLES

    def test_every_year(self, seeded, client):
        response = assert_max_queries(client, "/honour-roll/")
        assert response.content.decode().count("<li><strong>") >= SCALE * (DEMO_TITLES - 1)

    def test_one_year(self, seeded, client):
        assert_max_queries(client, honour_roll_paths()[-1])


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    small = seeded.small["honour_roll"]
    large = [len(count_queries(client, path)[1]) for path in honour_roll_paths()]

    assert large == small
    assert max(large) <= BUDGET
