"""The design's quality bar on the duty pages: a public page costs at most 12 queries, cold,
with ten times the demo content, and the same number as with the demo content."""

from io import StringIO

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from duty.models import DutyRecord, RecordState

BUDGET = 12
DEMO_RECORDS = 7  # duty.demo.RECORDS, once per unit of scale


def seed(scale):
    call_command("seed_demo", scale=scale, force=True, stdout=StringIO())


def public_paths():
    """The residents' duty pages, with the status page of a request that has its answer."""
    answered = DutyRecord.objects.filter(state=RecordState.RESOLVED).order_by("pk").first()
    return ["/duty/", "/duty/posts/", "/duty/request/", f"/duty/request/{answered.reference}/"]


def count_queries(client, path):
    cache.clear()  # cold: nothing left from earlier requests
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


class QueryBudgetAtScaleTenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed(10)

    def assert_within_budget(self, path):
        count = count_queries(self.client, path)
        self.assertLessEqual(count, BUDGET, f"{path} took {count} queries")

    def test_there_is_ten_times_the_content(self):
        self.assertEqual(DutyRecord.objects.count(), 10 * DEMO_RECORDS)

    def test_roster(self):
        self.assert_within_budget("/duty/")

    def test_posts(self):
        self.assert_within_budget("/duty/posts/")

    def test_request_form(self):
        self.assert_within_budget("/duty/request/")

    def test_request_status(self):
        self.assert_within_budget(public_paths()[-1])


def counts_after_seeding(scale):
    """Seed an empty database at ``scale``, count each page's queries, roll it all back."""
    client = Client()
    with transaction.atomic():
        seed(scale)
        records = DutyRecord.objects.count()
        paths = public_paths()
        counts = [count_queries(client, path) for path in paths]
        transaction.set_rollback(True)
    return records, dict(zip(["roster", "posts", "form", "status"], counts, strict=True))


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_amount_of_content():
    small_records, small = counts_after_seeding(1)
    large_records, large = counts_after_seeding(10)

    assert (small_records, large_records) == (DEMO_RECORDS, 10 * DEMO_RECORDS)
    assert large == small
    assert max(large.values()) <= BUDGET
