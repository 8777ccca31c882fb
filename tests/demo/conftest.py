"""The demo, seeded once for the whole package: ``seed_demo --public-only`` at scale 1 with
the default password, as the query-budget tests and the page benchmarks seed it.

Every test here reads it inside its own savepoint (what a test changes, a second seeding
included, is rolled back after it); ``test_more_on_top.py`` seeds more on top once for its
tests, rolled back after its last one. The seedings that need an empty database (the
refusals) are in ``tests/home/test_seed_demo_refusals.py``.
"""

from io import StringIO

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command

from wagtail.models import Page, Revision

from core import roles
from core.indexing import reference_index_off
from people.models import Person
from tests.support import kept_for_the_scope

User = get_user_model()

ROLE_ACCOUNTS = {
    "editor": roles.EDITORS,
    "moderator": roles.MODERATORS,
    "clerk": roles.MEETING_CLERKS,
    "cadre": roles.DUTY_CADRES,
    "supervisor": roles.SUPERVISORS,
    "party": roles.PARTY_OFFICE,
    "rep": roles.REPRESENTATIVES,
}


def seed(**options):
    """The command as a developer runs it, less the registers the public site never shows
    (``--public-only``) unless ``public_only=False``; gives what it printed."""
    out = StringIO()
    # As every test leaves Wagtail's reference index alone (tests/conftest.py), the package's
    # seeding does too.
    with reference_index_off():
        call_command("seed_demo", stdout=out, **{"force": True, "public_only": True, **options})
    return out.getvalue()


def counts():
    return {
        "users": User.objects.count(),
        "people": Person.objects.count(),
        "pages": Page.objects.count(),
        "live pages": Page.objects.live().count(),
        "revisions": Revision.objects.count(),
        "person history": Person.history.count(),
        "group memberships": User.groups.through.objects.count(),
    }


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    """The public demo at scale 1, seeded once for every test of the package."""
    yield from kept_for_the_scope(django_db_blocker, seed)


@pytest.fixture(autouse=True)
def _in_the_demo(demo, db):
    """Every test of the package reads the demo, inside its own savepoint."""
