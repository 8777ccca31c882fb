"""One site, several processes: what the gunicorn workers and the instances of production
share (the cache, the login lockouts, the sessions) with and without Redis."""

import itertools
import secrets

from django_ratelimit.core import _split_rate

from django.conf import settings

from tests.scale.client import an_address_with_time_left

from . import production

# Counts one opinion form ``times`` for a client in the process that runs it, and prints
# whether that client must now wait (``core.ratelimit``, as the opinion view uses it).
COUNT_OPINION_FORMS = """
    from django.test import RequestFactory

    from core.ratelimit import PublicFormLimit

    limit = PublicFormLimit("opinion")
    request = RequestFactory().post("/", REMOTE_ADDR="{address}")
    for _ in range({times}):
        limit.take(request)
    print(json.dumps({{"minutes_to_wait": limit.minutes_to_wait(request)}}))
"""


def test_without_redis_the_cache_is_a_table_of_the_database(production_defaults):
    cache = production_defaults["CACHES"]["default"]
    # Django's, with its counting made atomic (core/cache_backends.py).
    assert cache["BACKEND"] == "core.cache_backends.DatabaseCache"
    assert cache["LOCATION"] == "cms_cache"
    # Django's default of 300 entries would keep only a handful of cached pages.
    assert cache["OPTIONS"]["MAX_ENTRIES"] >= 10_000
    # Sessions and login lockouts are rows of the database every instance shares.
    assert production_defaults["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert production_defaults["AXES_HANDLER"] == "axes.handlers.database.AxesDatabaseHandler"
    # A redirects file uploaded in the admin waits for its confirmation in the cache, not on
    # the disk of the one instance that took it.
    assert production_defaults["WAGTAIL_REDIRECTS_FILE_STORAGE"] == "cache"


def test_with_redis_it_holds_the_cache_and_the_sessions():
    values = production.production_settings(
        "CACHES", "SESSION_ENGINE", "AXES_HANDLER", REDIS_URL="redis://cache.internal:6379/2"
    )

    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    # Lockouts stay in the shared database: no instance can forget one.
    assert values["AXES_HANDLER"] == "axes.handlers.database.AxesDatabaseHandler"


def test_processes_count_one_clients_forms_together(django_db_setup, tmp_path):
    """Without Redis, a form sent through one worker counts in the next worker's limit, and
    the counts outlive the next release's `createcachetable`."""
    database = {"DATABASE_URL": production.database_url(tmp_path)}
    # A client of its own: on PostgreSQL the table outlives the test (--reuse-db). Its window
    # (django-ratelimit's, ending at a moment of each client's own) has five minutes left, so
    # the three processes count in one window: one that ended between them (the test takes
    # 20 s on a slow machine) would start the count afresh. The limit is the base settings',
    # which production keeps.
    _, period = _split_rate(settings.PUBLIC_FORM_RATE_LIMITS["opinion"])
    addresses = (
        f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}" for _ in itertools.count()
    )
    address = an_address_with_time_left(addresses, (period,), seconds=300)
    production.manage("createcachetable", **database)

    first = production.django_code(COUNT_OPINION_FORMS.format(address=address, times=3), **database)
    second = production.django_code(
        COUNT_OPINION_FORMS.format(address=address, times=2), **database
    )
    production.manage("createcachetable", **database)
    after_release = production.django_code(
        COUNT_OPINION_FORMS.format(address=address, times=0), **database
    )

    # Five in ten minutes: three through one process and two through another use them up.
    assert first == {"minutes_to_wait": 0}
    assert second["minutes_to_wait"] > 0
    assert after_release["minutes_to_wait"] > 0


# Counts ``times`` increments of one key as fast as it can, once told to start (a file).
COUNT_AT_ONCE = """
    import pathlib, time

    from django.core.cache import cache

    cache.add("{key}", 0, timeout=600)
    go = pathlib.Path("{go}")
    while not go.exists():
        time.sleep(0.01)
    for _ in range({times}):
        cache.incr("{key}")
    print(json.dumps({{"done": True}}))
"""


def test_processes_counting_at_the_same_moment_lose_no_count(django_db_setup, tmp_path):
    """Two workers counting one client's forms at the same moment: every count is kept (with
    Django's own database cache, 149 of 400 were lost on PostgreSQL)."""
    database = {"DATABASE_URL": production.database_url(tmp_path)}
    production.manage("createcachetable", **database)
    key = f"count-{secrets.token_hex(4)}"
    go = tmp_path / "go"
    code = COUNT_AT_ONCE.format(key=key, go=go, times=200)
    workers = [production.start_django_code(code, **database) for _ in range(2)]
    go.touch()
    for worker in workers:
        assert production.printed_json(worker) == {"done": True}

    total = production.django_code(
        f"""
        from django.core.cache import cache
        print(json.dumps({{"total": cache.get("{key}")}}))
        """,
        **database,
    )
    assert total == {"total": 400}
