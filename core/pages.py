"""What every page type of the site shares: cheap routing and view-restriction checks.

The public pages have a budget of twelve queries, cold. Wagtail's own routing walks the
tree one level at a time and its view-restriction check costs two queries; these cost one.
"""

from django.db.models import Q

from wagtail.models import Page, PageViewRestriction

from .middleware import request_memo


def all_restrictions():
    """Every page view restriction, with its page's path: one query per request."""
    memo = request_memo()
    if memo is not None and "restrictions" in memo:
        return memo["restrictions"]
    restrictions = list(PageViewRestriction.objects.select_related("page"))
    if memo is not None:
        memo["restrictions"] = restrictions
    return restrictions


def private_q(request=None):
    """A filter matching the pages in private sections."""
    q = Q()
    for restriction in all_restrictions():
        q |= Q(path__startswith=restriction.page.path, depth__gte=restriction.page.depth)
    return q if q else Q(pk__in=[])


def public(queryset, request=None):
    """``queryset.public()``, sharing the request's one read of the restrictions."""
    return queryset.exclude(private_q(request))


class CommunityPageMixin:
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
