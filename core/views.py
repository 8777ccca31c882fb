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

from .pages import public
from .search import search_terms


@require_safe
def search(request):
    """Search every live, public page; Chinese words are found inside Chinese text."""
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
            # Base pages only: the results show titles and search descriptions, and asking
            # for each page type's own fields would cost a query per type.
            results = public(Page.objects.live()).search(terms, operator="and")
    paginator = Paginator(results, settings.SEARCH_RESULTS_PER_PAGE)
    # An unknown or out-of-range page number shows the nearest real page, never an error.
    page = paginator.get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "core/search.html",
        {
            "query": query,
            "extra_query": urlencode({"q": query}) + "&",
            "error": error,
            "results": page,
            "paginator": paginator,
            "max_length": settings.SEARCH_QUERY_MAX_LENGTH,
        },
    )


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
