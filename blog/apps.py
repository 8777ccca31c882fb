from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog column")

    def ready(self):
        from core.cache import purge_when_saved
        from opinions.models import Opinion

        from .models import BlogIndexPage

        # The column's index shows the notice board: an opinion on any page (a hearing's, a
        # briefing's) promoted to it or taken down from it changes the column's index too.
        # Only a shown opinion (approved, or promoted) is or was on the board.
        def column(opinion):
            if not opinion.is_shown:
                return []
            return [index.url for index in BlogIndexPage.objects.live()]

        purge_when_saved(Opinion, column)
