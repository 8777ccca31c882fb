"""The design's quality bar on the volunteers' page: at most 12 queries, cold, with ten times
the demo content, and the same number as with the demo content."""

from tests.budget.content import SCALE, VOLUNTEERS_PATHS
from tests.support import BUDGET, assert_max_queries, count_queries
from volunteers.models import Participation, Team


def test_there_is_ten_times_the_content(seeded):
    # The demo's three teams a unit of scale.
    assert Team.objects.count() == 3 * SCALE
    assert Participation.objects.exists()


def test_the_page_within_the_budget(seeded, client):
    response = assert_max_queries(client, "/volunteers/")
    assert len(response.context["teams"]) == 2 * SCALE


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    large = [len(count_queries(client, path)[1]) for path in VOLUNTEERS_PATHS]
    assert large == seeded.small["volunteers"]
    assert max(large) <= BUDGET
