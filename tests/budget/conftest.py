"""One database at ten times the demo for every query-budget test (seeding it takes most of a
minute: once for the package, not once per module), rolled back after the package."""

from types import SimpleNamespace

import pytest

from django.test import Client

from duty.models import DutyRecord
from tests.budget import content
from tests.support import count_queries, kept_for_the_scope


def counts_at_scale_one():
    """Each module's pages' queries with the demo content (``seed_demo --scale 1``), how many
    duty records that seeding made, and its volume (``content.volume``). The scale-1 content
    stays: ``build`` seeds ten times the demo on top of it (seeding adds only what is
    missing), which saves seeding it twice."""
    client = Client()
    content.seed(1)
    pages = content.growth_paths()
    # The process warms up once (content types, templates), as a running site does with its
    # first request: what is counted is a page nobody has asked for since the cache emptied.
    for path in [path for paths in pages.values() for path in paths]:
        count_queries(client, path)
    counts = {
        module: [len(count_queries(client, path)[1]) for path in paths]
        for module, paths in pages.items()
    }
    return counts, DutyRecord.objects.count(), content.volume()


def build():
    small, small_records, small_volume = counts_at_scale_one()
    content.seed(content.SCALE)
    return SimpleNamespace(
        small=small,
        small_records=small_records,
        small_volume=small_volume,
        votes=content.demo_votes(),
    )


@pytest.fixture(scope="package")
def scale_ten(django_db_setup, django_db_blocker):
    """Ten times the demo, for the package's tests (each test's ``db`` is a savepoint in it).

    ``scale_ten.small[module]``: the queries of ``content.growth_paths()[module]`` counted at
    scale 1; ``scale_ten.small_volume``: ``content.volume()`` at scale 1;
    ``scale_ten.votes``: the demo's clerk, representative and motions (``demo_votes``).
    """
    yield from kept_for_the_scope(django_db_blocker, build)


@pytest.fixture
def seeded(scale_ten, db):
    return scale_ten
