from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.snippets.action_menu import ActionMenuItem

from .registry import is_audited
from .views import HistoryCentreViewSet, timeline_url

VIEW_HISTORY = "audit.view_auditentry"


@hooks.register("register_admin_viewset")
def register_history_centre():
    return HistoryCentreViewSet()


@hooks.register("register_snippet_listing_buttons")
def snippet_timeline_button(snippet, user, next_url=None):
    if is_audited(type(snippet)) and user.has_perm(VIEW_HISTORY):
        yield Button(_("Audit history"), timeline_url(snippet), icon_name="history", priority=90)


class TimelineMenuItem(ActionMenuItem):
    label = _("Audit history")
    name = "audit-history"
    icon_name = "history"

    def is_shown(self, context):
        return context.get("view") == "edit" and context["request"].user.has_perm(VIEW_HISTORY)

    def get_url(self, context):
        return timeline_url(context["instance"])


@hooks.register("register_snippet_action_menu_item")
def snippet_timeline_menu_item(model):
    if is_audited(model):
        return TimelineMenuItem(order=900)
    return None


@hooks.register("register_page_header_buttons")
def page_timeline_button(page, user, view_name, next_url=None):
    if user.has_perm(VIEW_HISTORY) and not page.is_root():
        yield Button(
            _("Audit history"),
            timeline_url(page.specific_deferred),
            icon_name="history",
            priority=90,
        )
