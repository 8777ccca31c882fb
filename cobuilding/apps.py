from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildingConfig(AppConfig):
    name = "cobuilding"
    verbose_name = _("Co-building")

    def ready(self):
        from django.urls import reverse

        from core.cache import purge_when_saved

        from .models import JointActivity, Partner

        # The list and each activity's page, and the sitemap that lists them once published.
        for model in (JointActivity, Partner):
            purge_when_saved(model, lambda _: [reverse("cobuilding:index"), "/sitemap.xml"])
