from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every module of the site shares: roles, pages, search, forms, transitions."""

    name = "core"
    verbose_name = _("Community CMS")

    def ready(self):
        from wagtail.contrib.redirects.models import Redirect
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site

        from .cache import connect_page_signals, purge_when_saved
        from .models import CommunitySettings

        # Every page shows the site's settings (name, office, duty phone) and its menu; a page
        # made private (or public again) leaves (or joins) the menu and the lists, and its kept
        # copy must no longer be handed to anonymous readers.
        connect_page_signals()
        for model in (CommunitySettings, Site, Redirect, get_image_model(), PageViewRestriction):
            purge_when_saved(model, lambda _: None)

        from .fsm import lighten_historical_state_fields
        from .roles import apply_roles_after_migrate

        lighten_historical_state_fields()

        from .lookups import register as register_lookups

        register_lookups()

        # The moment of sign-in, from which an idle session is timed, and the log line of a
        # lockout (core/logins.py).
        from . import logins  # noqa: F401

        # Sent once per app with models after every migrate; the roles are applied after
        # every app has made its permissions (apply_roles_after_migrate makes them first).
        post_migrate.connect(apply_roles_after_migrate, sender=self)
        # Production without Redis keeps its cache in a table: made by every migrate, so that
        # no deployment can forget it (without it every page fails).
        post_migrate.connect(create_cache_table, sender=self)


def create_cache_table(using="default", **kwargs):
    from django.conf import settings
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    if any(
        issubclass(import_string(cache["BACKEND"]), DatabaseCache)
        for cache in settings.CACHES.values()
    ):
        call_command("createcachetable", database=using, verbosity=0)
