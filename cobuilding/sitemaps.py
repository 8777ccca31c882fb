"""The co-building activities in the sitemap: their list, once one is published, and each
published activity. Django's sitemap builds each address from the request's scheme and host,
as ``core.links`` does for the pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import JointActivity


class ActivitySitemap(Sitemap):
    def items(self):
        activities = list(
            JointActivity.objects.published().only("pk", "published_at", "state").order_by("pk")
        )
        # None stands for the list itself, listed only when it has something to show.
        return [None, *activities] if activities else []

    def location(self, item):
        if item is None:
            return reverse("cobuilding:index")
        return reverse("cobuilding:activity", args=[item.pk])

    def lastmod(self, item):
        return None if item is None else item.published_at
