from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from wagtail.models import Site

from core.sitewide import remember

register = template.Library()

# The public services that are not pages, after the page tree in the main menu: a resident
# finds votes and results, this month's roster and the request form without knowing their
# addresses. Named by URL, so that core imports none of the apps that serve them.
SERVICES = [
    ("votes:index", _("Votes and results")),
    ("duty:roster", _("Duty roster")),
    ("duty:request", _("File a request")),
    ("volunteers:index", _("Volunteers")),
    ("cobuilding:index", _("Co-building")),
    ("buildings:honour_roll", _("Honour roll")),
]


def _services():
    """(url, label) of each service whose app is installed."""
    links = []
    for name, label in SERVICES:
        try:
            links.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return links


def service_links(path, links=None):
    """(url, label, is current) for each service (``links``, or those ``_services`` finds);
    the longest URL that ``path`` starts with is the current one (the request form, not the
    roster, on /duty/request/)."""
    links = _services() if links is None else links
    current = max((url for url, _label in links if path.startswith(url)), key=len, default=None)
    return [(url, label, url == current) for url, label in links]


def _menu(site, request):
    """The front page's URL, (title, URL, tree path) of each page in the main menu, and
    (URL, label) of each service."""
    pages = site.root_page.get_children().live().in_menu().only("title", "url_path", "path")
    return (
        site.root_page.get_url(request),
        [(page.title, page.get_url(request), page.path) for page in pages],
        _services(),
    )


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The site's top-level pages that are marked "show in menus", in tree order, then the
    public services that are not pages."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    home_url, items, services = None, [], None
    if site is not None:
        # The same for every reader until a page is published, moved or deleted: kept per
        # process and version of the site (core.sitewide).
        home_url, items, services = remember(
            ("main-menu", site.pk), request, lambda: _menu(site, request)
        )
    current = context.get("page")
    current_path = getattr(current, "path", "")
    return {
        "request": request,
        "home_url": home_url,
        "items": [(title, url, current_path.startswith(path)) for title, url, path in items],
        "at_home": request is not None and request.path == "/",
        "services": service_links(request.path if request is not None else "", services),
    }
