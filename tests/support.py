"""Plain helpers shared by the whole suite (fixtures live in ``tests/conftest.py``)."""

import contextlib
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_save
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from wagtail.search.index import get_indexed_models
from wagtail.search.signal_handlers import post_save_signal_handler

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


@contextlib.contextmanager
def search_index_off():
    """Wagtail's search index left as it is by the saves and deletions of the block, then as
    it was before.

    The search backends' own switch, ``AUTO_UPDATE: False`` in ``WAGTAILSEARCH_BACKENDS``, is
    read wherever the index is written (a save's indexing task, a deletion, the image and
    document forms): nothing is written. With it alone each save still queues that task, which
    reads the object twice to write nothing, four tenths of what indexing cost; so the task's
    ``post_save`` receiver is disconnected from the indexed models too (Django's own API), and
    put back on leaving for the models it was connected to."""
    backends = {
        name: {**options, "AUTO_UPDATE": False}
        for name, options in settings.WAGTAILSEARCH_BACKENDS.items()
    }
    disconnected = [
        model
        for model in get_indexed_models()
        if post_save.disconnect(post_save_signal_handler, sender=model)
    ]
    try:
        with override_settings(WAGTAILSEARCH_BACKENDS=backends):
            yield
    finally:
        for model in disconnected:
            post_save.connect(post_save_signal_handler, sender=model)


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


# --- Spreadsheet imports (core/imports.py): the files a user uploads, and what waits. ---


def csv_bytes(rows, encoding="utf-8"):
    """``rows`` (lists of cells) as the bytes of a CSV file in ``encoding``."""
    import csv
    import io

    text = io.StringIO(newline="")
    csv.writer(text).writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows):
    """``rows`` (lists of cells) as the bytes of an XLSX workbook of one sheet."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, url, name, content):
    """``client`` posting the file ``name`` holding ``content`` to the import form at ``url``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def stored_uploads():
    """The names of the uploaded files waiting in media storage for their confirmation."""
    from django.core.files.storage import default_storage

    from core import imports

    try:
        return default_storage.listdir(imports.STORE)[1]
    except FileNotFoundError:
        return []


def migrate_forward():
    """Every app to its latest migration: a test that migrated back leaves the database as the
    later tests expect it (call it in a ``finally``)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
