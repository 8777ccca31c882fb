"""The design's quality bar on the duty pages: a public page costs at most 12 queries, cold,
with ten times the demo content, and the same number as with the demo content."""

from duty.models import DutyRecord
from tests.budget.content import DEMO_RECORDS, SCALE, duty_paths
from tests.support import BUDGET, assert_max_queries, count_queries


class TestQueryBudgetAtScaleTen:
    def test_there_is_ten_times_the_content(self, seeded):
        assert DutyRecord.objects.count() == SCALE * DEMO_RECORDS

    def test_roster(self, seeded, client):
        assert_max_queries(client, "/duty/")

    def test_posts(self, seeded, client):
        assert_max_queries(client, "/duty/posts/")

    def test_request_form(self, seeded, client):
        assert_max_queries(client, "/duty/request/")

    def test_request_status(self, seeded, client):
        assert_max_queries(client, duty_paths()[-1])


def test_queries_do_not_grow_with_the_amount_of_content(seeded, client):
    names = ["roster", "posts", "form", "status"]
    small = dict(zip(names, seeded.small["duty"], strict=True))
    large = dict(
        zip(names, [len(count_queries(client, path)[1]) for path in duty_paths()], strict=True)
    )

    assert (seeded.small_records, DutyRecord.objects.count()) == (
        DEMO_RECORDS,
        SCALE * DEMO_RECORDS,
    )
    assert large == small
    assert max(large.values()) <= BUDGET
