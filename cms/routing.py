"""Find a page by its whole path in one query, whatever its depth."""

from wagtail.models import Page


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
