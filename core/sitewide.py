"""What every page shows of the site itself, read once per process and version of the site.

Every page reads the site it is served for (with its root page) and the sites' root paths (its
links are made from them), the community's settings (the header and footer) and the main menu:
four queries, each the same for every reader until
an editor publishes a page or changes a site or its settings. Each of those changes the site's
version (``core.cache.site_version``: the page cache is purged by the same change), so a value
kept here under the version it was read at is right for as long as that version lasts. Each
process keeps its own copy; asking for the version is one read of the shared cache per request
(none more when the page cache has already read it).

A request gets its own copy of what is kept, so that nothing one request sets on a model
instance reaches another.
"""

import copy

from django.conf import settings
from django.http.request import split_domain_port

from wagtail.models import Site
from wagtail.models.sites import SiteRootPath

from .cache import site_version

_kept = {}
# The most kept values (a few for each site): cleared when full.
_MOST = 1_000


def remember(key, request, read):
    """``read()``, kept under ``key`` for as long as the site's version stays the same."""
    version = site_version(request)
    found = _kept.get(key)
    if found is not None and found[0] == version:
        return found[1]
    value = read()
    if len(_kept) >= _MOST:
        _kept.clear()
    _kept[key] = (version, value)
    return value


def own_copy(instance, _copies=None):
    """A copy of a kept model instance for one request: its fields, its state and the related
    instances it has read (the site's root page, the root page's locale) are the copy's own.

    What ``copy.deepcopy`` gives for these, at a fifth of the cost: Django's ``Model``
    copies its state and its cache of related instances when copied, so one copy of each
    instance reached is enough. Instances that reach each other (a site and its settings)
    are copied once, and reach each other's copies.
    """
    copies = {} if _copies is None else _copies
    if id(instance) in copies:
        return copies[id(instance)]
    clone = copies[id(instance)] = copy.copy(instance)
    cache = clone._state.fields_cache
    for name, related in cache.items():
        if related is not None:
            cache[name] = own_copy(related, copies)
    return clone


def _sites():
    """Every site with its root page, in the order of Wagtail's root paths: one query."""
    return list(
        Site.objects.select_related("root_page", "root_page__locale").order_by(
            "-root_page__url_path", "-is_default_site", "hostname"
        )
    )


def _root_paths(sites):
    """What ``Site.get_site_root_paths`` answers, from the sites already read."""
    return [
        SiteRootPath(
            site.id, site.root_page.url_path, site.root_url, site.root_page.locale.language_code
        )
        for site in sites
    ]


def _match(sites, hostname, port):
    """The site ``wagtail.models.sites.get_site_for_hostname`` finds, or ``None``: the host and
    port, else the host on the default site, else the default site unless exactly one other
    site has the host."""

    def rank(site):
        if site.hostname == hostname:
            return 0 if site.port == port else 1 if site.is_default_site else 3
        return 2

    found = sorted((s for s in sites if s.hostname == hostname or s.is_default_site), key=rank)
    if not found:
        return None
    if len(found) == 1 or rank(found[0]) in (0, 1):
        return found[0]
    if rank(found[0]) == 2:
        return found[len(found) == 2]
    return None


def _site_for(request, sites):
    # Wagtail's own lookup (``Site.find_for_request``): by the raw host, and the port.
    site = _match(sites, split_domain_port(request._get_raw_host())[0], request.get_port())
    return None if site is None else own_copy(site)


class SiteMiddleware:
    """Gives each request its site (what ``Site.find_for_request`` answers) and the sites' root
    paths (what each page's URL is made from) from the process's copy, instead of reading
    them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            sites, root_paths = remember(("sites",), request, _read)
            request._wagtail_site = _site_for(request, sites)
            # Every page's URL is worked out from these (Page._get_site_root_paths).
            request._wagtail_cached_site_root_paths = root_paths
        except Exception:  # noqa: BLE001 - the cache is down: Wagtail reads them itself
            pass
        return self.get_response(request)


def _read():
    sites = _sites()
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        # A site's root page in each language: Wagtail's own reading.
        return sites, Site.get_site_root_paths()
    return sites, _root_paths(sites)
