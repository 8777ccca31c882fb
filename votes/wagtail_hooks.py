from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    ObjectList,
    PageChooserPanel,
)
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet

from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet

from . import admin_views
from .forms import MotionForm
from .models import Motion, MotionState


class MotionViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Motion
    icon = "tasks"
    menu_label = _("Votes")
    menu_order = 260
    add_to_admin_menu = True
    inspect_view_enabled = True
    # Only a draft is edited; from its opening on a vote is shown read-only.
    edit_view_class = admin_views.MotionEditView
    index_view_class = admin_views.MotionIndexView
    list_display = [
        "title",
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda motion: motion.state == MotionState.OPEN,
        ),
        DateColumn("opened_at", label=_("Opened")),
    ]
    list_filter = ["kind", "state", "secret"]
    search_fields = ["title"]
    search_backend_name = None
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind"), FieldPanel("secret")]),
            FieldPanel("title"),
            FieldPanel("description"),
            PageChooserPanel("meeting", ["hearings.BriefingPage", "hearings.HearingPage"]),
            FieldPanel("subject"),
            FieldRowPanel([FieldPanel("rule"), FieldPanel("quorum_percent")]),
            InlinePanel(
                "options",
                heading=_("Options"),
                label=_("Option"),
                help_text=_(
                    "Motions and evaluations get their usual options when left empty; list the candidates of an election."
                ),
            ),
            FieldPanel("change_reason"),
        ],
        base_form_class=MotionForm,
    )


motion_viewset = MotionViewSet()
register_snippet(motion_viewset)


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("votes/<int:pk>/roll-call/", admin_views.roll_call, name="votes_roll_call"),
        path("votes/<int:pk>/results/", admin_views.results, name="votes_results"),
    ]


# The steps are offered by TransitionViewSetMixin; these are the clerks' other pages.
@hooks.register("register_snippet_listing_buttons")
def motion_buttons(snippet, user, next_url=None):
    if not isinstance(snippet, Motion) or not user.has_perm(admin_views.RUN):
        return
    if snippet.state == MotionState.OPEN:
        yield Button(
            _("Roll call"),
            reverse("votes_roll_call", args=[snippet.pk]),
            priority=10,
            icon_name="list-ul",
        )
    if snippet.state in (MotionState.CLOSED, MotionState.PUBLISHED):
        yield Button(
            _("Results"), reverse("votes_results", args=[snippet.pk]), priority=11, icon_name="view"
        )
