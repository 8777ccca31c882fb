"""The search backend of the site and the admin: Wagtail's database backend, safe to type into.

Wagtail's SQLite backend (``modelsearch``) writes each word of a query into an FTS5 ``MATCH``
expression between double quotes without escaping the quotes a person typed, so ``a"b`` in
a chooser's, a snippet listing's or the page explorer's search box ends in a database error
("unterminated string"). Here each word's double quotes are doubled, FTS5's own escape:
the word is then searched as the text it is, and ``*``, ``OR``, ``(`` stay plain words too.

And results ordered by relevance are ranked in one pass. Wagtail's SQLite backend scores each
result with a correlated subquery that evaluates the full-text match again for every row, so a
search costs the square of the number of pages matching it: a common word on a site with a
hundred times the demo's pages took 180 ms of the database, against 3 ms for the same ranking
done once. Here the page of results is ranked in one query over the full-text index (the
queryset's own filters, live and public, read as the keys they allow), then its objects are
read by key: two queries, whatever the number of matches. How many there are is counted in
the same one pass, and no further than the results were sliced (the site's search counts at
most ``SEARCH_MOST_RESULTS``).

``WAGTAILSEARCH_BACKENDS`` names this module; on PostgreSQL (and anything but SQLite with
FTS5) it gives Wagtail's backend unchanged (its ranking reads each match once).
"""

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import Phrase, PlainText

from django.db import connection, models
from django.db.models.functions import Cast


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
    from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
    from modelsearch.backends.database.sqlite.sqlite import SQLiteFTSIndexEntry
    from modelsearch.query import MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    class QuoteSafeCompiler(compiler_class):
        def build_search_query_content(self, query, config=None):
            return super().build_search_query_content(_escaped(query), config=config)

        def ranked_entries(self, config):
            """The index entries that match, of the queryset's objects, each with its
            ``score`` and its object's ``key``: one pass over the full-text index. ``None``
            where this ranking does not apply (no relevance order, a negated or empty query,
            a model whose key is not a whole number): the backend's own search then runs.

            Built once per search: its count and its page of results (the paginator asks
            for both) share it."""
            kept = getattr(self, "_entries", None)
            if kept is None or kept[0] != config:
                kept = self._entries = (config, self._ranked_entries(config))
            return kept[1]

        def _ranked_entries(self, config):
            pk = self.queryset.model._meta.pk
            if not self.order_by_relevance or not isinstance(pk, models.IntegerField):
                return None
            query = normalize(self.query)
            if isinstance(query, (MatchAll, Not)):
                return None
            # What the backend's own search builds: the match and the score of each entry.
            match = MatchExpression(
                self.fields or self.FTS_TABLE_FIELDS,
                self.build_search_query(query, config=config),
            )
            allowed = self.queryset.order_by().values_list(
                Cast("pk", output_field=models.CharField()), flat=True
            )
            return SQLiteFTSIndexEntry.objects.filter(match).filter(
                index_entry__content_type__in=get_descendants_content_types_pks(
                    self.queryset.model
                ),
                index_entry__object_id__in=allowed,
            )

        def ranked_keys(self, config, start, stop):
            """The keys of the results from ``start`` to ``stop``, best first, ties newest
            first (as the backend orders them), or ``None`` (``ranked_entries``)."""
            entries = self.ranked_entries(config)
            if entries is None:
                return None
            score = self._build_rank_expression(self.get_search_vectors(), config)
            ranked = (
                entries.annotate(
                    score=score,
                    key=Cast("index_entry__object_id", output_field=models.BigIntegerField()),
                )
                .order_by("score", "-key")
                .values_list("key", flat=True)
            )
            return list(ranked[start:stop])

        def ranked_count(self, config, stop=None):
            """How many results there are, up to ``stop`` (the index is read no further),
            in the same one pass (``ranked_entries``), or ``None``: the backend's own count
            builds its whole search to count it."""
            entries = self.ranked_entries(config)
            if entries is None:
                return None
            return entries.count() if stop is None else entries[:stop].count()

    QuoteSafeCompiler.__name__ = QuoteSafeCompiler.__qualname__ = (
        f"QuoteSafe{compiler_class.__name__}"
    )
    return QuoteSafeCompiler


def _ranked_once(results_class):
    class RankedOnceResults(results_class):
        def _do_search(self):
            compiler = self.query_compiler
            keys = None
            if self._score_field is None and hasattr(compiler, "ranked_keys"):
                keys = compiler.ranked_keys(
                    compiler.get_config(self.backend), self.start, self.stop
                )
            if keys is None:
                return super()._do_search()
            found = {obj.pk: obj for obj in compiler.queryset.filter(pk__in=keys)}
            return [found[key] for key in keys if key in found]

        def _do_count(self):
            compiler = self.query_compiler
            total = None
            if self._score_field is None and hasattr(compiler, "ranked_count"):
                total = compiler.ranked_count(compiler.get_config(self.backend), self.stop)
            if total is None:
                return super()._do_count()
            # Of the slice these results are, as the backend's own count is.
            count = max(0, total - self.start)
            return count if self.stop is None else min(count, self.stop - self.start)

    RankedOnceResults.__name__ = RankedOnceResults.__qualname__ = (
        f"RankedOnce{results_class.__name__}"
    )
    return RankedOnceResults


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
        backend.results_class = _ranked_once(backend.results_class)
    return backend
