from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from . import recording
        from .database import install_append_only_triggers

        recording.connect()
        post_migrate.connect(install_append_only_triggers, sender=self)
