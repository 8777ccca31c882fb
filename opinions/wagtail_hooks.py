from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet

from core.forms import ReasonForm
from core.transition_views import TransitionViewSetMixin
from core.transitions import TransitionRefused, may_start, perform, transition_label
from core.viewsets import SnippetViewSet

from .models import Opinion, OpinionState


class OpinionPermissionPolicy(ModelPermissionPolicy):
    """Opinions come from residents through the public form: nobody adds one in the admin.
    Editing one (``change``) only records the committee's response and the public reason."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "add"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


register_permission_policy(Opinion, OpinionPermissionPolicy(Opinion))


class OpinionViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Opinion
    # What a resident wrote is never edited: staff record what the committee said or did
    # about it, and may reword the reason the resident is shown.
    edit_handler = ObjectList(
        [FieldPanel("response"), FieldPanel("public_reason"), FieldPanel("change_reason")],
        base_form_class=ReasonForm,
    )
    icon = "comment"
    menu_label = _("Opinions")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        # A plain name first: Wagtail makes it the title column, with the row's buttons.
        "excerpt",
        Column("author_name", label=_("Name shown")),
        Column("page", label=_("Page"), accessor="page.title"),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda opinion: opinion.state == OpinionState.PENDING,
        ),
        DateColumn("created_at", label=_("Received")),
    ]
    list_filter = ["state", "page", "language"]
    search_fields = ["body", "author_name", "reference"]
    # Search the queue with the ORM (icontains): the SQLite full-text backend cannot search
    # named fields (it fails with "no such column"), and full-text search splits no Chinese
    # words out of Chinese text, so "槐树" would never find "保留老槐树".
    search_backend_name = None
    ordering = ["-created_at"]
    inspect_view_fields = [
        "page",
        "author_name",
        "body",
        "language",
        "created_at",
        "state",
        "moderated_by",
        "moderated_at",
        "promoted_by",
        "promoted_at",
        "reference",
        "public_reason",
        "response",
    ]
    list_export = [
        "created_at",
        "reference",
        "page",
        "author_name",
        "body",
        "language",
        "state",
        "public_reason",
        "response",
    ]
    export_filename = "opinions"

    def get_queryset(self, request):
        return Opinion.objects.select_related("page")


opinion_viewset = OpinionViewSet()
register_snippet(opinion_viewset)


class TransitionBulkAction(SnippetBulkAction):
    """Approve, reject or mark as spam many opinions at once."""

    models = [Opinion]
    template_name = "opinions/admin/confirm_bulk_transition.html"
    transition = None

    def check_perm(self, snippet):
        return may_start(snippet, self.transition, self.request.user)

    def get_execution_context(self):
        # Snippet bulk actions pass no user of their own (page bulk actions do): without
        # it ``perform`` cannot check the permission nor record who acted.
        return {**super().get_execution_context(), "user": self.request.user}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        done = 0
        for opinion in objects:
            try:
                perform(opinion, cls.transition, user)
            except TransitionRefused:
                continue
            done += 1
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(action)s: %(count)d opinion.", "%(action)s: %(count)d opinions.", num_parent_objects
        ) % {"action": transition_label(Opinion, self.transition), "count": num_parent_objects}


class ApproveBulkAction(TransitionBulkAction):
    display_name = transition_label(Opinion, "approve")
    action_type = "approve"
    aria_label = _("Approve the selected opinions")
    transition = "approve"
    action_priority = 10


class RejectBulkAction(TransitionBulkAction):
    display_name = transition_label(Opinion, "reject")
    action_type = "reject"
    aria_label = _("Reject the selected opinions")
    transition = "reject"
    action_priority = 20


class SpamBulkAction(TransitionBulkAction):
    display_name = transition_label(Opinion, "mark_spam")
    action_type = "mark_spam"
    aria_label = _("Mark the selected opinions as spam")
    transition = "mark_spam"
    action_priority = 30
    classes = {"serious"}


for bulk_action in (ApproveBulkAction, RejectBulkAction, SpamBulkAction):
    hooks.register("register_bulk_action", bulk_action)


class PendingOpinionsPanel(Component):
    name = "pending_opinions"
    template_name = "opinions/admin/pending_panel.html"
    order = 50

    def __init__(self, count):
        self.count = count

    def get_context_data(self, parent_context):
        return {
            "count": self.count,
            "queue_url": reverse(opinion_viewset.get_url_name("list")) + "?state=pending",
        }


@hooks.register("construct_homepage_panels")
def add_pending_opinions_panel(request, panels):
    if request.user.has_perm("opinions.moderate_opinion"):
        panels.append(PendingOpinionsPanel(Opinion.objects.pending().count()))
