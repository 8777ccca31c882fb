from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "duty"
    verbose_name = _("Duty and service")

    def ready(self):
        from django.urls import reverse

        from core.cache import purge_when_saved
        from people.models import Person

        from .models import DutyShift, Post, PostAssignment, Roster, ServiceDay, ShiftSwap

        # The roster and the posts (and this month's roster on the front page); the days served
        # at the posts are counted on the volunteers' page.
        def duty_pages(_):
            return [reverse("duty:roster"), "/", reverse("volunteers:index")]

        for model in (Roster, DutyShift, ShiftSwap, Post, PostAssignment, ServiceDay, Person):
            purge_when_saved(model, duty_pages)
