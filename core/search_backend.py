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
queryset's own filters, live and public, checked for each match by its key), then its objects are
read by key: two queries, whatever the number of matches. When the results were sliced (the
site's search lists at most ``SEARCH_MOST_RESULTS``), the keys of the best up to that many are
read in that one ranking query, which counts them too and gives the paginator its page;
otherwise they are counted in a second pass.

``WAGTAILSEARCH_BACKENDS`` names this module; on PostgreSQL (and anything but SQLite with
FTS5) it gives Wagtail's backend unchanged (its ranking reads each match once).
"""

from modelsearch.backends.database import SearchBackend as database_backend
from modelsearch.query import Phrase, PlainText

from django.db import connection, models
from django.db.models import Exists, OuterRef
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
            ``score`` and its object's ``key``, best first (ties newest first, as the backend
            orders them): one pass over the full-text index. ``None`` where this ranking does
            not apply (no relevance order, a negated or empty query, a model whose key is not
            a whole number): the backend's own search then runs.

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
            key = Cast("index_entry__object_id", output_field=models.BigIntegerField())
            # Each match's object looked up by its key, rather than every allowed object's
            # key listed for each search: the list grows with the site, the lookups only with
            # the matches.
            allowed = self.queryset.order_by().filter(pk=OuterRef("key"))
            return (
                SQLiteFTSIndexEntry.objects.filter(match)
                .filter(
                    index_entry__content_type__in=get_descendants_content_types_pks(
                        self.queryset.model
                    )
                )
                .annotate(
                    score=self._build_rank_expression(self.get_search_vectors(), config),
                    key=key,
                )
                .filter(Exists(allowed))
                .order_by("score", "-key")
                .values_list("key", flat=True)
            )

        def leading_keys(self, config, stop):
            """The keys of the best ``stop`` results, best first (all of them when fewer
            match), or ``None`` (``ranked_entries``): one query, kept for the page of them
            the paginator asks for after counting them."""
            entries = self.ranked_entries(config)
            if entries is None:
                return None
            kept = getattr(self, "_leading", None)
            if kept is None or kept[:2] != (config, stop):
                kept = self._leading = (config, stop, list(entries[:stop]))
            return kept[2]

        def ranked_keys(self, config, start, stop):
            """The keys of the results from ``start`` to ``stop``, best first, or ``None``
            (``ranked_entries``): from the leading keys when they were read and hold them."""
            entries = self.ranked_entries(config)
            if entries is None:
                return None
            kept = getattr(self, "_leading", None)
            if kept is not None and kept[0] == config and stop is not None:
                _config, most, keys = kept
                if stop <= most or len(keys) < most:
                    return keys[start:stop]
            return list(entries[start:stop])

        def ranked_count(self, config, stop=None):
            """How many results there are, up to ``stop``, or ``None``
            (``ranked_entries``). Up to ``stop`` (the site's search, at most
            ``SEARCH_MOST_RESULTS``), the leading keys are read and counted: the same one
            query then gives the page of results. Without one (the admin's choosers), a
            count in the database."""
            entries = self.ranked_entries(config)
            if entries is None:
                return None
            if stop is None:
                return entries.count()
            return len(self.leading_keys(config, stop))

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
