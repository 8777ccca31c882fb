"""The Content-Security-Policy header on every response (django-csp), and the admin's own.

The public site is held to ``settings.CONTENT_SECURITY_POLICY``: the site's own files only,
no inline script, no inline style, nothing from another host. Wagtail's admin cannot work
under it: its date and time widgets and its inline panels write inline scripts, jQuery runs
the scripts of the chooser and modal responses, and its interface injects ``<style>``
elements. So paths under ``ADMIN_PREFIXES`` (the previews of pages included) have the
directives of ``settings.ADMIN_CONTENT_SECURITY_POLICY_DIRECTIVES`` in place of the site's
directives of the same names; every other directive stays. The admin is never kept in the
page cache (``core.cache.NEVER``), and only signed-in staff see it.

Media kept in an S3-compatible bucket (production, ``AWS_STORAGE_BUCKET_NAME``) is served from
the bucket's own host or a CDN's: that one origin, read from the media storage itself, is added
to ``img-src`` everywhere, so that the images the site shows are not refused.

No public page may rely on ``request.csp_nonce``: a nonce is worth something only when it is
new on every response, and the page cache hands one rendering to many readers
(``core.cache`` never keeps a page that used one).
"""

import functools
import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware

from django.conf import settings
from django.core.files.storage import storages

logger = logging.getLogger(__name__)

ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def admin_path(path):
    return path.startswith(ADMIN_PREFIXES)


@functools.lru_cache(maxsize=4)
def _origin_of(storage):
    try:
        # Built on this machine (S3: a URL signed or not, no request to the bucket).
        url = storage.url("images/origin")
    except Exception:  # noqa: BLE001 - a storage that cannot say: the site's own origin only
        logger.warning("The media storage gives no address; images from it will be refused.")
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def media_origin():
    """The origin media files are served from when it is another than the site's (a bucket,
    a CDN), else ``None``."""
    return _origin_of(storages["default"])


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the admin's directives on paths under the admin, and the
    media storage's host for images."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        directives = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY_DIRECTIVES", None)
        if directives and admin_path(request.path_info):
            # A view's own @csp_replace still has the last word.
            parts.replace = {**directives, **(parts.replace or {})}
        origin = media_origin()
        if origin:
            update = dict(parts.update or {})
            images = update.get("img-src") or []
            if not isinstance(images, (list, tuple, set)):
                images = [images]
            update["img-src"] = [*images, origin]
            parts.update = update
        return parts
