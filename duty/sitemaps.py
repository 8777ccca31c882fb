"""The residents' duty pages in the sitemap: this month's roster, the posts and the request
form (a request's own page is the resident's, never listed)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class DutySitemap(Sitemap):
    def items(self):
        return ["duty:roster", "duty:posts", "duty:request"]

    def location(self, item):
        return reverse(item)
