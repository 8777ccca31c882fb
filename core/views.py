"""The site's own views: search, the health check, the language switch."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wagtail.models import Page
from wagtail.search.models import IndexEntry

from .pages import page_url, public
from .search import excerpt, other_results, page_text, search_terms


@require_safe
def search(request):
    """Search every live, public page, and what the apps register as public (votes); each
    result with a short excerpt of its text around what was searched for. Chinese words are
    found inside Chinese text."""
    query = request.GET.get("q", "").strip()
    error = ""
    results = Page.objects.none()
    if len(query) > settings.SEARCH_QUERY_MAX_LENGTH:
        error = _("Please shorten your search to at most %(limit)d characters.") % {
            "limit": settings.SEARCH_QUERY_MAX_LENGTH
        }
    elif query:
        terms = search_terms(query)
        if terms:
            # Base pages only: asking for each page type's own fields would cost a query per
            # type; the excerpts come from the search index in one query.
            # What the results show of each page (the template and the excerpts): a page
            # with all of Wagtail's fields costs twice as much to read and build.
            shown = public(Page.objects.live()).only(
                "title", "url_path", "path", "depth", "content_type_id", "search_description"
            )
            # Counted and listed up to the most a reader pages through: the count stops there
            # however many pages hold the words (on PostgreSQL too: the backend's count reads
            # the slice).
            results = shown.search(terms, operator="and")[: settings.SEARCH_MOST_RESULTS]
    paginator = Paginator(results, settings.SEARCH_RESULTS_PER_PAGE)
    # An unknown or out-of-range page number shows the nearest real page, never an error.
    page = paginator.get_page(request.GET.get("page"))
    # Other public results (votes) are listed beside the first page of pages.
    others = other_results(query) if query and not error and page.number == 1 else []
    return TemplateResponse(
        request,
        "core/search.html",
        {
            "query": query,
            "extra_query": urlencode({"q": query}) + "&",
            "error": error,
            "results": page,
            "found": _found(page.object_list, query, request) if query and not error else [],
            "others": others,
            "paginator": paginator,
            "at_least": paginator.count >= settings.SEARCH_MOST_RESULTS,
            "max_length": settings.SEARCH_QUERY_MAX_LENGTH,
        },
    )


def _found(pages, query, request):
    """``(page, url, excerpt)`` for each page found: its address as ``{% pageurl %}`` writes
    it (``page_url``: these are base pages, whose own ``get_url`` reverses Wagtail's serving
    URL for each), and its indexed text around the query's words, read from the search index
    in one query (its search description when there is none)."""
    pages = list(pages)
    if not pages:
        return []
    # The plain text of the index: "body" on SQLite and MySQL, "body_text" beside the
    # tsvector on PostgreSQL.
    field = "body_text" if hasattr(IndexEntry, "body_text") else "body"
    texts = {
        (entry.content_type_id, entry.object_id): getattr(entry, field)
        for entry in IndexEntry.objects.filter(
            content_type_id__in={p.content_type_id for p in pages},
            object_id__in=[str(p.pk) for p in pages],
        ).only("content_type_id", "object_id", field)
    }
    return [
        (
            page,
            page_url(page.url_path, request),
            excerpt(
                page_text(texts.get((page.content_type_id, str(page.pk)), ""))
                or page.search_description,
                query,
            ),
        )
        for page in pages
    ]


@never_cache
@require_safe
def healthz(request):
    """For the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def switch_language(request):
    """Remember the reader's choice of language in a cookie and go back where they were.

    A plain link, so that it works without JavaScript and leaves the pages cacheable.
    """
    language = request.GET.get("language", "")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
