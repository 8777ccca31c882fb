from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button

from core.transitions import transition_label

from . import admin_views
from .models import HearingPage


# The page's transitions are written in its log as "<app_label>.<name>" by the core
# transition view (which also puts the button in the page header).
@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "hearings.publish_decision",
        transition_label(HearingPage, "publish_decision"),
        _("Decision published"),
    )
    actions.register_action(
        "hearings.correct_decision", _("Correct the decision"), _("Decision corrected")
    )


@hooks.register("register_admin_urls")
def register_admin_urls():
    return admin_views.urlpatterns


@hooks.register("register_page_header_buttons")
def correct_decision_button(page, user, view_name, next_url=None):
    page = page.specific_deferred
    if isinstance(page, HearingPage) and admin_views.may_correct(page, user):
        yield Button(
            _("Correct the decision"),
            admin_views.correct_decision_url(page),
            priority=50,
            icon_name="edit",
        )
