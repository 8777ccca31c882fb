"""Serving a page: the request's page found in two queries, whatever its depth.

Wagtail's ``serve`` reads the site (with its root page), the root page's own type, and then
the root page routes the rest (``core.pages.DirectRouteMixin``: the page at that path, then its
own type): four queries before the page has done anything. Here the site is read as before
and the page is read straight from its own type's table by its ``url_path``: which table that
is was learnt the first time the address was served. The hint is only ever a guess to try
first: a page of another type now at that address is simply not found there, and the address
is looked up afresh.

Everything after routing is Wagtail's: the same hooks, the page's own ``route()`` (so that
unpublished pages, private ones and sub-routes behave exactly as Wagtail has them) and the
same result on ``request._wagtail_route_for_request`` for whoever asks again.
"""

from django.http import Http404, HttpResponse

from wagtail import hooks
from wagtail.models import Page, Site
from wagtail.views import serve_chain

# url_path -> the page type last found there. Bounded by the number of pages; cleared when a
# site grows past it, which only costs one extra query per address the next time.
_types = {}
_MOST_HINTS = 20_000


def _page_at(url_path):
    """The live or draft page at ``url_path``, as its own type, or ``None``."""
    model = _types.get(url_path)
    if model is not None:
        page = model.objects.filter(url_path=url_path).first()
        if page is not None:
            return page
    found = Page.objects.filter(url_path=url_path).only("content_type").first()
    if found is None:
        return None
    page = found.specific
    if len(_types) >= _MOST_HINTS:
        _types.clear()
    _types[url_path] = type(page)
    return page


def route_for_request(request, path):
    """What ``Page.route_for_request`` returns, in fewer queries: (page, args, kwargs) or
    ``None`` when no page answers ``path`` on the request's site."""
    if hasattr(request, "_wagtail_route_for_request"):
        return request._wagtail_route_for_request
    result = None
    try:
        site = Site.find_for_request(request)
        if site is not None:
            result = _route(request, site.root_page, [part for part in path.split("/") if part])
    except Http404:
        result = None
    request._wagtail_route_for_request = result
    return result


def _route(request, root, components):
    url_path = root.url_path + "".join(f"{part}/" for part in components)
    page = _page_at(url_path)
    if page is None:
        if not components:
            return None
        # Not a page's own address: a route of a page above it (a feed, say), which the
        # tree walk finds.
        return root.specific.route(request, components)
    return page.route(request, [])


def serve(request, path):
    """Wagtail's ``wagtail.views.serve``, with the routing above."""
    route = route_for_request(request, path)
    if route is None:
        raise Http404
    page, args, kwargs = route

    on_serve_chain = serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)

    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result

    return on_serve_chain(page, request, args, kwargs)
