"""What every page type of the site shares: the base page, the one rule for which pages
the public may see, cheap routing and view-restriction checks.

The public pages have a budget of twelve queries, cold. Wagtail's own routing walks the
tree one level at a time and its view-restriction check costs two queries; these cost one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, reverse

from wagtail.coreutils import WAGTAIL_APPEND_SLASH
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PagePermissionTester, PageViewRestriction, Site
from wagtail.query import PageQuerySet

from .links import page_root_url
from .middleware import request_memo
from .search import HanSearchMixin


def all_restrictions():
    """Every page view restriction, with its page's path: one query per request."""
    memo = request_memo()
    if memo is not None and "restrictions" in memo:
        return memo["restrictions"]
    restrictions = list(PageViewRestriction.objects.select_related("page"))
    if memo is not None:
        memo["restrictions"] = restrictions
    return restrictions


def _private_q(restrictions, prefix):
    q = Q()
    for restriction in restrictions:
        q |= Q(
            **{
                f"{prefix}path__startswith": restriction.page.path,
                f"{prefix}depth__gte": restriction.page.depth,
            }
        )
    return q


def private_q(prefix=""):
    """A filter matching the pages in private sections (a restricted page and all below it).

    ``prefix`` reaches the page through a relation ("page__" for a model with a ``page``
    key). Matches nothing when no section is private, as Wagtail's own ``private_q`` does.
    """
    return _private_q(all_restrictions(), prefix) or Q(**{f"{prefix}pk__in": []})


def public(queryset, prefix=""):
    """The site's one rule for what the public may see: nothing in a private section.

    It means what Wagtail's ``PageQuerySet.public()`` means, but reads the restrictions
    once per request (shared with the view-restriction check of the page being served)
    instead of once per list. ``prefix`` filters rows of another model by their page.
    """
    restrictions = all_restrictions()
    if not restrictions:
        return queryset  # nothing to exclude: keep the query (and the search) plain
    return queryset.exclude(_private_q(restrictions, prefix))


class CommunityPageQuerySet(PageQuerySet):
    """The queryset of every page type of the site: ``public()`` follows core's rule."""

    def private_q(self):
        return private_q()

    def public(self):
        return public(self)

    def published(self):
        """What the public site lists: live pages outside private sections."""
        return public(self.live())

    def published_children_of(self, page):
        """The children of ``page`` the public may see (as ``published()``), each checked by a
        subquery on its own page row, found by its key.

        The list's own query then puts no condition on the page table, and the database reads
        the rows in the order the list asks for, through an index of the page type's table on
        it, and stops once it has a page's worth. With the tree's conditions (path, depth,
        live, private sections) on the page table, SQLite, planning without statistics, reads
        every child through the path's index and sorts them all; any one more condition there
        (a private section) makes it read every page of the site.
        """
        own_row = Page.objects.filter(
            pk=OuterRef("pk"),
            depth=page.depth + 1,
            path__range=page._get_children_path_interval(page.path),
        )
        return self.filter(Exists(public(own_row.live())))

    def for_listing(self, *keep):
        """The rows as a list shows them: without the long text of each page (its body,
        its stream blocks) and Wagtail's bookkeeping, which a list never shows and which cost
        the most to read and build. ``keep`` names long fields the list does show.

        A deferred field read later costs a query per row; the public pages' budget tests,
        at ten times the demo content, would find one.
        """
        return self.defer(*(name for name in listing_deferred(self.model) if name not in keep))


# Wagtail's bookkeeping on every page: revisions, locks, scheduling, search metadata.
PAGE_BOOKKEEPING = (
    "draft_title",
    "seo_title",
    "search_description",
    "latest_revision_created_at",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "live_revision",
    "latest_revision",
    "owner",
    "has_unpublished_changes",
    "show_in_menus",
    "alias_of",
    "translation_key",
)


def listing_deferred(model):
    """The fields ``for_listing`` leaves out of a list of ``model``'s pages: Wagtail's
    bookkeeping and every long text or stream field of the page type."""
    long_text = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (models.TextField, StreamField)) and field.model is not Page
    ]
    return [*PAGE_BOOKKEEPING, *long_text]


CommunityPageManager = PageManager.from_queryset(CommunityPageQuerySet)


# (script prefix, a page's path below its site's root) -> the path Wagtail's view answers it at.
_serve_paths = {}
_MOST_SERVE_PATHS = 50_000


def _serve_path(rest):
    """``reverse("wagtail_serve", args=(rest,))``, as Wagtail's ``get_url_parts`` makes it
    (``None`` when pages are not served), kept per process: the URL configuration does not
    change while it runs."""
    key = (get_script_prefix(), rest)
    if key in _serve_paths:
        return _serve_paths[key]
    try:
        path = reverse("wagtail_serve", args=(rest,))
    except NoReverseMatch:
        path = None
    if path is not None and not WAGTAIL_APPEND_SLASH and path != "/":
        path = path.rstrip("/")
    if len(_serve_paths) >= _MOST_SERVE_PATHS:
        _serve_paths.clear()
    _serve_paths[key] = path
    return path


def _url_parts(url_path, root_paths, request):
    """What Wagtail's ``get_url_parts`` answers for the page at ``url_path`` on a site of one
    language, with the page's path reversed once per process rather than for every link to
    it (a list of pages links to each of them)."""
    possible_sites = [values for values in root_paths if url_path.startswith(values.root_path)]
    if not possible_sites:
        return None
    site_id, root_path, root_url, _language = possible_sites[0]
    if len({values[0] for values in possible_sites}) > 1 and isinstance(request, HttpRequest):
        site = Site.find_for_request(request)
        for values in possible_sites:
            if site is not None and values[0] == site.pk:
                site_id, root_path, root_url, _language = values
                break
    page_path = _serve_path(url_path[len(root_path) :])
    if page_path is None:
        return (site_id, None, None)
    return (site_id, root_url, page_path)


def _site_root_paths(request):
    """The sites' root paths as Wagtail's pages read them: kept on the request (by
    ``core.sitewide``, or here on the first asking)."""
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = Site.get_site_root_paths()
    return request._wagtail_cached_site_root_paths


def page_url(url_path, request):
    """What ``{% pageurl %}`` writes for the page at ``url_path``, without the page: lists
    that read their pages as plain values (a page object costs more to build than all a list
    shows of it) link each row with this. ``None`` when the page is not routable.

    Without a request, the address is the one of the only site (a path), or a full URL.
    """
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return Page(url_path=url_path).get_url(request)
    root_paths = Site.get_site_root_paths() if request is None else _site_root_paths(request)
    parts = _url_parts(url_path, root_paths, request)
    if parts is None or parts[1] is None and parts[2] is None:
        return None
    site_id, root_url, page_path = parts
    single_site = len({values.site_id for values in root_paths}) == 1
    site = Site.find_for_request(request)
    if single_site or (site is not None and site_id == site.pk):
        return page_path
    return page_root_url(site_id, root_url, request, single_site) + page_path


class CommunityPageMixin:
    def get_url_parts(self, request=None):
        """Wagtail's parts, with the root URL of the site as the reader reached it
        (``core.links``): full URLs in feeds, calendars and the sitemap lead to the host the
        reader used, not to the Site record's hostname."""
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            parts = super().get_url_parts(request)
        else:
            parts = _url_parts(self.url_path, self._get_site_root_paths(request), request)
        if not parts or parts[1] is None:
            return parts
        site_id, root_url, page_path = parts
        single_site = len({p.site_id for p in self._get_site_root_paths(request)}) == 1
        return site_id, page_root_url(site_id, root_url, request, single_site), page_path

    def get_view_restrictions(self):
        """The view restrictions on this page and its ancestors, in one query.

        Restrictions of an alias are those of its source page (as in Wagtail's own method,
        which this replaces, and which is still used for an alias itself).
        """
        if self.alias_of_id:
            return super().get_view_restrictions()
        if request_memo() is not None:
            # Serving a page: answer from the request's one read of all restrictions.
            found = [
                restriction
                for restriction in all_restrictions()
                if self.path.startswith(restriction.page.path)
                and restriction.page.alias_of_id is None
            ]
            queryset = PageViewRestriction.objects.filter(pk__in=[r.pk for r in found])
            queryset._result_cache = found
            queryset._prefetch_done = True
            return queryset
        steplen = self.steplen
        paths = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
        alias_sources = Page.objects.filter(path__in=paths, alias_of__isnull=False).values(
            "alias_of"
        )
        return PageViewRestriction.objects.filter(
            (Q(page__path__in=paths) & Q(page__alias_of__isnull=True)) | Q(page__in=alias_sources)
        )


def may_delete_pages(user):
    """Deleting a page takes its revisions, its log's diffs and its residents' opinions with
    it: an administrator's act only, whatever page permissions a role holds (Wagtail lets
    "add" with "publish" delete one's own pages, and "change" delete any)."""
    return user.is_active and user.is_superuser


class CommunityPagePermissionTester(PagePermissionTester):
    def can_delete(self, ignore_bulk=False):
        return may_delete_pages(self.user) and super().can_delete(ignore_bulk)


class CommunityPage(CommunityPageMixin, HanSearchMixin, Page):
    """The base of every page type of the site.

    It declares once what every page shares: the one-query view-restriction check, the
    search fields (the title, and the Han-character text that lets a Chinese word be found
    inside Chinese text) and the manager whose ``published()`` and ``public()`` follow
    core's visibility rule. A page type adds its own text fields to ``search_fields`` with
    ``[*CommunityPage.search_fields, index.SearchField("body")]``; the Han text is derived
    from those, nothing else to keep in step.
    """

    objects = CommunityPageManager()

    search_fields = [*Page.search_fields, *HanSearchMixin.search_fields]

    class Meta:
        abstract = True

    def permissions_for_user(self, user):
        # Hides "Delete" in the page's menus and listings and refuses the delete and bulk
        # delete views alike (they all ask this tester); core.wagtail_hooks refuses the
        # views for any other page type too.
        return CommunityPagePermissionTester(user, self)


class DirectRouteMixin:
    """For the site's root page: route a request straight to the page at that path.

    Wagtail's own routing walks the tree one level at a time, two queries a level, so a
    deep page would cost more than the public pages' query budget. This looks the page up
    by its ``url_path`` instead, then lets the page itself route any rest (a page with
    sub-routes, such as a feed, is not found by its full path and falls back to the walk).
    """

    def route(self, request, path_components):
        if path_components:
            url_path = f"{self.url_path}{'/'.join(path_components)}/"
            page = Page.objects.filter(url_path=url_path).first()
            if page is not None:
                return page.specific.route(request, [])
        return super().route(request, path_components)
