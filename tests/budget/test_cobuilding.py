"""The design's quality bar on the co-building pages: at most 12 queries, cold, with ten
times the demo's activities (each with its photo), and the same number as with the demo."""

from cobuilding.models import ActivityKind, JointActivity
from tests.budget.content import SCALE, cobuilding_paths
from tests.support import BUDGET, assert_max_queries, count_queries

# The demo publishes one activity of each of the four kinds, each with a photo.
DEMO_PUBLISHED = len(ActivityKind)


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        published = JointActivity.objects.published()
        assert published.count() == SCALE * DEMO_PUBLISHED
        assert not published.filter(photo__isnull=True).exists()

    def test_the_list(self, seeded, client):
        response = assert_max_queries(client, "/cobuilding/")
        assert response.content.decode().count("<img") == 10

    def test_the_list_of_one_kind(self, seeded, client):
        assert_max_queries(client, "/cobuilding/?kind=culture")

    def test_a_later_page(self, seeded, client):
        response = assert_max_queries(client, "/cobuilding/?page=3")
        assert response.content.decode().count("<img") == 10

    def test_one_activity(self, seeded, client):
        assert_max_queries(client, cobuilding_paths()[-1])


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    names = ["list", "kind", "activity"]
    small = dict(zip(names, seeded.small["cobuilding"], strict=True))
    large = dict(
        zip(
            names,
            [len(count_queries(client, path)[1]) for path in cobuilding_paths()],
            strict=True,
        )
    )

    assert large == small
    assert max(large.values()) <= BUDGET
