from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self):
        from django.urls import reverse

        from core.cache import purge_when_saved

        from .models import Participation, Team, VolunteerActivity

        # The page, and the sitemap that lists it while a team is active.
        for model in (Team, VolunteerActivity, Participation):
            purge_when_saved(model, lambda _: [reverse("volunteers:index"), "/sitemap.xml"])
