"""The page cache: what anonymous readers are given, kept in the shared cache and purged when
what a page shows changes.

Residents read far more than anyone writes, so a page rendered for one anonymous reader is kept
(``PAGE_CACHE_SECONDS``) and handed to the next one straight from the cache, before the session,
the user, the locale or Wagtail's routing are looked at (``PageCacheMiddleware`` sits right after
whitenoise). Logged-in users, and anyone carrying a session or a message, always get a page
rendered for them. A response is kept only when it is a plain ``200`` to a ``GET`` that sets no
cookie, holds no CSRF token (a page that called ``{% csrf_token %}`` is never kept) nor a
Content-Security-Policy nonce (``core/csp.py``), and that no view marked private
(``never_cache``): nothing of one visitor reaches another.

The key holds the host, the path, the query string and the reader's language, and two versions:
the site's and the path's *section* (its first segment: ``blog``, ``hearings``, ``votes``, the
front page ``/``...). A purge replaces a version with a new random one, so that every page kept
under the old one is never read again (and expires on its own): ``purge("/votes/")`` empties
every page under ``/votes/``, ``purge(everything=True)`` the whole site. Versions are random
rather than counted, so that a version the cache evicted comes back as a new one, never as an
old one whose pages may still be kept. A purge happens at once and again when the transaction
commits: a reader who rendered the page in between, from what was there before, kept it under
a version that is dead by then.

What purges what is declared by the apps, in their ``ready()``, with ``purge_when_saved``
(a model whose rows a public page shows, and the paths those pages live under); pages
published, unpublished, moved or deleted and the site settings purge every page, since every
page's menu lists the pages. With ``WAGTAILFRONTENDCACHE`` set, the same paths are purged from
the proxy or CDN in front through Wagtail's ``frontend_cache``. Pages whose content changes
with the clock say when (``changes_at``), or live at most ``PAGE_CACHE_SECONDS``.

``docs/caching.md`` says how forms on cached pages keep working (``core.csrf``).
"""

import datetime
import hashlib
import secrets
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

HEADER = "X-Page-Cache"
# Paths never kept: the admin and logins, documents (served with their permission checks),
# what must always answer from the database, and the language switch (it sets a cookie anyway).
NEVER = ("/admin/", "/accounts/", "/documents/", "/healthz", "/language/", "/django-admin/")
# Headers of a kept response that are not handed on: set afresh for each response.
NOT_KEPT = {"set-cookie", "date", "content-length", HEADER.lower()}
# A response larger than this is rendered each time rather than kept.
LARGEST = 2 * 1024 * 1024

_PREFIX = "page-cache"
# The first moment the page being rendered changes by itself (``changes_at``), per request.
_expiry = ContextVar("page_cache_expiry", default=None)
_SITE = f"{_PREFIX}:site"


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _seconds():
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def section(path):
    """The part of the site ``path`` is in: its first segment, or "" for the front page."""
    return path.lstrip("/").split("/", 1)[0].split("?", 1)[0]


def _section_key(name):
    return f"{_PREFIX}:section:{name}"


def _versions(cache, keys):
    """The current versions of ``keys``, making a new one for any the cache does not hold."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(6), timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def site_version(request=None):
    """The site's version: it changes whenever something every page shows changes (a page
    published, unpublished, moved or deleted, a site or its settings saved: ``purge`` with
    ``everything``). Read once per request; ``core.sitewide`` keys what it keeps by it."""
    version = getattr(request, "_site_version", None)
    if version is None:
        (version,) = _versions(_cache(), [_SITE])
        if request is not None:
            request._site_version = version
    return version


def _language(request):
    return translation.get_language_from_request(request, check_path=False)


def _wanted(request):
    """Whether this request may be answered from, and kept in, the page cache."""
    if request.method != "GET" or _seconds() <= 0:
        return False
    if request.path.startswith(NEVER):
        return False
    cookies = request.COOKIES
    # A session (a logged-in user, or someone in the middle of something) or a message waiting
    # to be shown: the page is rendered for this reader alone.
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request, versions):
    # Hashed: the database cache keeps keys of at most 255 characters, and a query string may
    # be longer.
    where = "\n".join(
        [request.get_host(), _language(request), request.path, request.META.get("QUERY_STRING", "")]
    )
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()
    return ":".join([_PREFIX, "page", *versions, digest])


def _keepable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The page holds a CSRF token ({% csrf_token %}: a password form), made from the reader's
    # secret. Django's CSRF middleware then sends the cookie again, which is refused above;
    # this holds even where that middleware would not run.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    # The page used a Content-Security-Policy nonce (core/csp.py), which is worth something only
    # when no other response repeats it. django-csp's lazy nonce is true once it was made.
    if getattr(request, "csp_nonce", None):
        return False
    if response.has_header("Set-Cookie") or len(response.content) > LARGEST:
        return False
    cache_control = response.get("Cache-Control", "")
    return not any(word in cache_control for word in ("private", "no-store", "no-cache"))


def changes_at(*moments):
    """Say that the page being rendered changes by itself at these moments (a consultation
    opens or closes, a meeting starts): it is kept no longer than the first one to come.
    Moments past, and ``None``, are ignored; outside a request this does nothing."""
    earliest = _expiry.get()
    if earliest is None:
        return
    now = timezone.now()
    for when in moments:
        if when is not None and when > now and (earliest[0] is None or when < earliest[0]):
            earliest[0] = when


def next_midnight():
    """The coming midnight, local time: when pages that mark "today" change."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))


def _timeout(earliest):
    # Every page marks the date somewhere ("this month's roster", "upcoming"): none is kept
    # past midnight.
    now = timezone.now()
    until = min(earliest or next_midnight(), next_midnight())
    return min(_seconds(), int((until - now).total_seconds()))


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache; keep what is rendered for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _wanted(request):
            return self.get_response(request)
        cache = _cache()
        try:
            versions = _versions(cache, [_SITE, _section_key(section(request.path))])
            request._site_version = versions[0]
            key = _key(request, versions)
        except Exception:  # noqa: BLE001 - the host is refused further in, or the cache is down
            return self.get_response(request)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response[HEADER] = "hit"
            return response

        token = _expiry.set([None])
        try:
            response = self.get_response(request)
            earliest = _expiry.get()[0]
        finally:
            _expiry.reset(token)
        # Whoever the page was rendered for, it is kept only if they were anonymous.
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated) and _keepable(request, response):
            timeout = _timeout(earliest)
            if timeout > 0:
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() not in NOT_KEPT
                ]
                cache.set(key, (response.content, headers), timeout)
                response[HEADER] = "miss"
                _for_the_proxy(response, timeout)
        return response


def _for_the_proxy(response, timeout):
    """A proxy or CDN in front may keep the page too, when the site purges it there: browsers
    ask again every time, so that a purge reaches every reader."""
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        patch_cache_control(response, public=True, max_age=0, s_maxage=timeout)


# --- Figures kept until purged ----------------------------------------------------------

# A kept figure is counted again at least this often, purged or not.
FIGURE_SECONDS = 24 * 60 * 60
_ABSENT = object()


def until_purged(path, name, read):
    """``read()``, kept in the shared cache until the pages under ``path`` are purged.

    For a figure a public page shows that costs more to count than to keep, and that changes
    only with what purges its page (the community's service days of the year on
    ``/volunteers/``, counted over every day served): the first reader after a change counts
    it, every other reader in every process reads it. It is kept under the versions a page
    under ``path`` is kept under (the site's and the section's), whether or not the page
    cache is on, so every purge that empties the page drops it too; a reader who counted
    before a change committed kept it under a version that is dead by then, as a page is.
    ``name`` says what the figure is and for when (``"volunteers:community:2026"``).
    """
    cache = _cache()
    versions = _versions(cache, [_SITE, _section_key(section(path))])
    key = ":".join([_PREFIX, "figure", *versions, name])
    found = cache.get(key, _ABSENT)
    if found is _ABSENT:
        found = read()
        cache.set(key, found, timeout=FIGURE_SECONDS)
    return found


# --- Purging -----------------------------------------------------------------------------


def _bump(keys):
    _cache().set_many({key: secrets.token_hex(6) for key in keys}, timeout=None)


def purge(*paths, everything=False):
    """Purge the pages under ``paths`` (each empties its section), or every page.

    Done at once and again when the current transaction commits; the proxy in front, if one is
    configured, is told of ``paths`` once the transaction commits.
    """
    keys = [_SITE] if everything else sorted({_section_key(section(p)) for p in paths if p})
    if not keys:
        return
    _bump(keys)
    transaction.on_commit(lambda: _bump(keys))
    if paths and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        transaction.on_commit(lambda: _purge_frontend(paths))


def _purge_frontend(paths):
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    from .links import base_url

    # The site's public address, as its pages' full URLs, the feed and the sitemap give it
    # (the Site record's hostname may be "localhost").
    root = base_url()
    purge_urls_from_cache(sorted({root + p if p.startswith("/") else p for p in paths}))


def purge_when_saved(model, paths):
    """Purge ``paths(instance)`` (a list of site paths) whenever a ``model`` row is saved or
    deleted, or one of its many-to-many fields changes (from either side); ``paths`` may return
    ``None`` to purge every page."""

    def changed(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return
        found = paths(instance)
        if found is None:
            purge(everything=True)
        else:
            purge(*found)

    def members_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
        # ``team.members.add(person)`` saves no team: the change is the through table's. Seen
        # from the other side (``person.teams.add(team)``), ``instance`` is the person and
        # ``pk_set`` names the changed teams, of class ``model``.
        if not action.startswith("post_"):
            return
        if not reverse:
            changed(sender, instance)
        elif pk_set is None:
            purge(everything=True)
        else:
            for row in model._default_manager.filter(pk__in=pk_set):
                changed(sender, row)

    uid = f"page-cache:{model._meta.label}:{paths.__module__}.{paths.__qualname__}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid + ":delete")
    for field in model._meta.many_to_many:
        m2m_changed.connect(
            members_changed,
            sender=field.remote_field.through,
            weak=False,
            dispatch_uid=f"{uid}:{field.name}",
        )


def page_paths(page):
    """The paths a page's change shows on: the page, each of its ancestors (the index pages,
    the front page), the feed, the calendar and the sitemap."""
    from wagtail.models import Page

    if not isinstance(page, Page):
        return []
    found = ["/", "/sitemap.xml", "/calendar.ics", "/blog/feed/", "/search/"]
    for ancestor in page.get_ancestors(inclusive=True).filter(depth__gt=1):
        url = ancestor.get_url()
        if url:
            found.append(urlsplit(url).path)
    return found


def _page_changed(sender, instance, **kwargs):
    # The menu on every page lists the pages: a page's change purges every page here, and the
    # proxy in front is told of the page's own addresses.
    purge(everything=True)
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        paths = page_paths(instance)
        transaction.on_commit(lambda: _purge_frontend(paths))


def _deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        _page_changed(sender, instance)


def connect_page_signals():
    """Purge on every page published, unpublished, moved or deleted (from ``CoreConfig``)."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_page_changed, dispatch_uid="page-cache:published")
    page_unpublished.connect(_page_changed, dispatch_uid="page-cache:unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="page-cache:moved")
    post_delete.connect(_deleted, dispatch_uid="page-cache:page-deleted")
