from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every module of the site shares: roles, pages, search, forms, transitions."""

    name = "core"
    verbose_name = _("Community CMS")

    def ready(self):
        from .fsm import lighten_historical_state_fields
        from .roles import apply_roles_after_migrate

        lighten_historical_state_fields()

        # Sent once per app with models after every migrate; the roles are applied after
        # every app has made its permissions (apply_roles_after_migrate makes them first).
        post_migrate.connect(apply_roles_after_migrate, sender=self)
