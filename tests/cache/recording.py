"""A frontend-cache backend that purges nothing and remembers what it was asked to purge, for
the tests of the proxy or CDN in front (``WAGTAILFRONTENDCACHE``)."""

from wagtail.contrib.frontend_cache.backends.base import BaseBackend


class RecordingBackend(BaseBackend):
    """``RecordingBackend.purged``: every URL purged since the list was last emptied."""

    purged = []

    def purge(self, url):
        type(self).purged.append(url)
