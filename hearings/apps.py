from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HearingsConfig(AppConfig):
    name = "hearings"
    verbose_name = _("Briefings and hearings")

    def ready(self):
        from core.cache import page_paths, purge_when_saved

        from .models import DecisionCorrection, HearingPage

        # A decision published or corrected changes the hearing's page without a new revision.
        purge_when_saved(HearingPage, page_paths)
        purge_when_saved(DecisionCorrection, lambda correction: page_paths(correction.page))
