"""The honour roll in the sitemap, once a title is awarded."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Title


class HonourRollSitemap(Sitemap):
    def items(self):
        return ["buildings:honour_roll"] if Title.objects.awarded().exists() else []

    def location(self, item):
        return reverse(item)
