"""Production without Redis keeps its cache in a table of the database: every ``migrate``
makes it, so that no deployment can forget it."""

import pytest

from django.core.management import call_command
from django.db import connection

TABLE = "cms_cache_made_by_migrate"


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "core.cache_backends.DatabaseCache", "LOCATION": TABLE},
    }


def tables():
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


@pytest.mark.django_db
def test_migrate_makes_the_cache_table(database_cache):
    assert TABLE not in tables()
    # Nothing left to migrate: the table comes from the signal sent after every migrate (and
    # goes with the test's transaction).
    call_command("migrate", "core", verbosity=0)
    assert TABLE in tables()


@pytest.mark.django_db
def test_no_table_without_a_database_cache():
    call_command("migrate", "core", verbosity=0)
    assert not [name for name in tables() if name.startswith("cms_cache")]
