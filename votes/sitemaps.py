"""The votes in the sitemap: the list, and each open vote and published result."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Motion


class VotesSitemap(Sitemap):
    def items(self):
        return ["votes:index", *Motion.objects.public().order_by("pk").values_list("pk", flat=True)]

    def location(self, item):
        if isinstance(item, int):
            return reverse("votes:detail", args=[item])
        return reverse(item)
