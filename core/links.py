"""Absolute addresses that lead back to the site as the reader reached it.

Wagtail builds a page's full URL from its ``Site`` record, whose hostname in the demo (and on
many a fresh install) is ``localhost``: the RSS feed, the calendar and the sitemap would send
readers there. Here the scheme and host come from the request (checked against
``ALLOWED_HOSTS``; behind the proxy, ``X-Forwarded-Proto`` gives the scheme), or, with no
request (an email, a task), from the configured base URL, ``WAGTAILADMIN_BASE_URL``.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def base_url(request=None):
    """``scheme://host`` of the site as ``request`` reached it, or the configured base URL."""
    if isinstance(request, HttpRequest):
        return f"{request.scheme}://{request.get_host()}"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path, request=None):
    """``path`` (starting with "/") as an absolute URL (see ``base_url``)."""
    return base_url(request) + path


def page_root_url(site_id, root_url, request=None, single_site=True):
    """The root URL to put before a page's path.

    A page of the site that answered ``request`` gets the request's own scheme and host; with
    no request, a page of the only site gets the configured base URL. A page of another site
    of a multi-site install keeps its site's root URL.
    """
    if isinstance(request, HttpRequest):
        from wagtail.models import Site

        site = Site.find_for_request(request)
        if site is not None and site.pk == site_id:
            try:
                # Asked for every link of a page: the host is checked once per request.
                if not hasattr(request, "_community_base_url"):
                    request._community_base_url = base_url(request)
                return request._community_base_url
            except DisallowedHost:
                # A request Wagtail made up (a preview) for a host not served here.
                return root_url
        return root_url
    return base_url() if single_site else root_url
