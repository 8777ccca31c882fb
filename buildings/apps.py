from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BuildingsConfig(AppConfig):
    name = "buildings"
    verbose_name = _("Characteristic buildings")

    def ready(self):
        from django.urls import reverse

        from core.cache import purge_when_saved

        from .models import Building, Category, Title

        # The roll, and the sitemap that lists it once a title is awarded.
        for model in (Title, Building, Category):
            purge_when_saved(model, lambda _: [reverse("buildings:honour_roll"), "/sitemap.xml"])
