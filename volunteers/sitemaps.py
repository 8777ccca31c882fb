"""The volunteers' public page in the sitemap, once a team is active."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Team


class VolunteersSitemap(Sitemap):
    def items(self):
        return ["volunteers:index"] if Team.objects.public().exists() else []

    def location(self, item):
        return reverse(item)
