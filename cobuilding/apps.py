from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildingConfig(AppConfig):
    name = "cobuilding"
    verbose_name = _("Co-building")
