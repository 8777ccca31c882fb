from django.utils.translation import gettext_lazy as _

from wagtail import hooks

from core.transitions import transition_label

from .models import HearingPage


# The page's transitions (publishing the decision, correcting it) are written in its log as
# "<app_label>.<name>" by the core transition view (which also puts their buttons in the
# page header).
@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "hearings.publish_decision",
        transition_label(HearingPage, "publish_decision"),
        _("Decision published"),
    )
    actions.register_action(
        "hearings.correct_decision",
        transition_label(HearingPage, "correct_decision"),
        _("Decision corrected"),
    )
