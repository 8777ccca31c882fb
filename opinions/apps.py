from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    name = "opinions"
    verbose_name = _("Opinions")

    def ready(self):
        from core.cache import purge_when_saved

        from .models import Opinion

        # An opinion shows on its page (and its section's listing), on the front page's notice
        # board once promoted, and in search.
        purge_when_saved(Opinion, lambda opinion: [opinion.page.url, "/", "/search/"])
