from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Community CMS")

    def ready(self):
        from .roles import apply_roles_after_migrate

        post_migrate.connect(apply_roles_after_migrate, sender=self)
