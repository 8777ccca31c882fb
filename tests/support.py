"""Plain helpers shared by the whole suite (fixtures live in ``tests/conftest.py``)."""

import sys

from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

# The design's quality bar: a public page costs at most this many queries, cold.
BUDGET = 12


def ui(language, message, **params):
    """``message`` as the site shows it in ``language`` ("zh-hans" or "en").

    Read from the same catalogue the site uses, so the tests follow the translations instead
    of copying them.
    """
    with translation.override(language):
        text = str(translation.gettext(message))
    return text % params if params else text


def logged_in(user):
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def count_queries(client, path, *, method="get", data=None, status=200):
    """The response to ``path`` and the SQL it ran, measured cold.

    Cold: the shared cache (pages, site root paths) is emptied first, so nothing is left from
    earlier requests. The content types stay in the process's memory, as they do in a running
    site after its first request.
    """
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, *([] if data is None else [data]))
    assert response.status_code == status, path
    return response, [query["sql"] for query in queries.captured_queries]


def over_budget(path, sql, budget=BUDGET):
    """The failure message: how many queries ``path`` took, and each of them."""
    listing = "\n".join(f"{n}. {statement}" for n, statement in enumerate(sql, 1))
    return f"{path} took {len(sql)} queries (budget {budget}):\n{listing}"


def assert_max_queries(client, path, budget=BUDGET, **request):
    """Fail, listing the SQL, if ``path`` costs more than ``budget`` queries cold; return the
    response. ``request`` takes ``count_queries``' ``method``, ``data`` and ``status``."""
    response, sql = count_queries(client, path, **request)
    assert len(sql) <= budget, over_budget(path, sql, budget)
    return response


def kept_for_the_scope(django_db_blocker, build):
    """Build data once for a module's or a package's tests; roll it back after the last one.

    For a fixture of that scope: ``yield from kept_for_the_scope(django_db_blocker, build)``
    gives what ``build()`` returns. As Django's ``TestCase.setUpClass`` does, an outer
    transaction holds the data and each test's ``db`` is a savepoint inside it, so that a test
    changes nothing the next one sees, and no test outside the scope ever sees the data.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
