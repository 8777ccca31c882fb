from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = _("Party members")

    def ready(self):
        # The compliance dashboard's list of members absent from organisation life.
        from . import compliance

        compliance.register()
