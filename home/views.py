from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wagtail.models import Page

from cms.search import search_terms


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
            results = Page.objects.live().public().search(terms, operator="and")
    paginator = Paginator(results, settings.SEARCH_RESULTS_PER_PAGE)
    # An unknown or out-of-range page number shows the nearest real page, never an error.
    page = paginator.get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "home/search.html",
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
