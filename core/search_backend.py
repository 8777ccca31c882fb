"""The search backend of the site and the admin: Wagtail's database backend, safe to type into.

Wagtail's SQLite backend (``modelsearch``) writes each word of a query into an FTS5 ``MATCH``
expression between double quotes without escaping the quotes a person typed, so ``a"b`` in
a chooser's, a snippet listing's or the page explorer's search box ends in a database error
("unterminated string"). Here each word's double quotes are doubled, FTS5's own escape:
the word is then searched as the text it is, and ``*``, ``OR``, ``(`` stay plain words too.

``WAGTAILSEARCH_BACKENDS`` names this module; on PostgreSQL (and anything but SQLite with
FTS5) it gives Wagtail's backend unchanged.
"""

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import Phrase, PlainText

from django.db import connection


def fts5_escape(text):
    """``text`` for inside an FTS5 string: each double quote doubled."""
    return text.replace('"', '""')


def _escaped(query):
    if isinstance(query, PlainText):
        return PlainText(
            fts5_escape(query.query_string), operator=query.operator, boost=query.boost
        )
    if isinstance(query, Phrase):
        return Phrase(fts5_escape(query.query_string))
    return query


def _quote_safe(compiler_class):
    class QuoteSafeCompiler(compiler_class):
        def build_search_query_content(self, query, config=None):
            return super().build_search_query_content(_escaped(query), config=config)

    QuoteSafeCompiler.__name__ = QuoteSafeCompiler.__qualname__ = (
        f"QuoteSafe{compiler_class.__name__}"
    )
    return QuoteSafeCompiler


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks up in a backend's module)
    backend = database_backend(params)
    if connection.vendor != "sqlite":
        return backend
    # Imported only on SQLite: the module reads its FTS table's model, which exists nowhere
    # else (on PostgreSQL importing it fails).
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

    if isinstance(backend, SQLiteSearchBackend):
        backend.query_compiler_class = _quote_safe(backend.query_compiler_class)
        backend.autocomplete_query_compiler_class = _quote_safe(
            backend.autocomplete_query_compiler_class
        )
    return backend
