from django_fsm import has_transition_perm

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button

from . import views
from .models import DecisionState, HearingPage


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path(
            "hearings/<int:page_id>/publish-decision/",
            views.publish_decision,
            name="hearings_publish_decision",
        ),
    ]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "hearings.publish_decision", _("Publish the decision"), _("Decision published")
    )


@hooks.register("register_page_header_buttons")
def publish_decision_button(page, user, view_name, next_url=None):
    specific = page.specific_deferred
    if (
        isinstance(specific, HearingPage)
        and specific.decision_state == DecisionState.PENDING
        and has_transition_perm(specific.publish_decision, user)
    ):
        yield Button(
            _("Publish the decision"),
            reverse("hearings_publish_decision", args=[page.pk]),
            icon_name="check",
            priority=85,
        )
