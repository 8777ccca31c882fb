from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from core.forms import ReasonForm
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet

from . import admin_views
from .models import (
    DutyRecord,
    DutyRecordState,
    DutyShift,
    Inspection,
    InspectionRating,
    Post,
    PostAssignment,
    Roster,
    ServiceDay,
    ShiftSwap,
)


class DutyRecordViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = DutyRecord
    icon = "doc-full"
    menu_label = _("Record book")
    inspect_view_enabled = True
    list_display = [
        "reference",
        Column("category", label=_("Category"), accessor="get_category_display"),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda record: record.state == DutyRecordState.RECEIVED,
        ),
        StatusTagColumn(
            "overdue",
            label=_("Overdue"),
            accessor=lambda record: _("overdue") if record.is_overdue else "",
            primary=lambda record: record.is_overdue,
        ),
        DateColumn("received_at", label=_("Received")),
        Column("handled_by", label=_("Handled by")),
    ]
    list_filter = ["state", "category", "channel", "inspected"]
    search_fields = ["reference", "request"]
    search_backend_name = None
    # The cadre on duty sees new requests first, then the rest, newest first (ordering by
    # the state's value put "in progress" before "received"); indexed as "record_book".
    ordering = ["-awaiting", "-received_at", "-pk"]
    inspect_view_fields_exclude = ["awaiting"]
    list_export = [
        "reference",
        "received_at",
        "channel",
        "category",
        "state",
        "due_at",
        "answered_at",
        "closed_at",
        "handled_by",
        "inspected",
    ]
    export_filename = "duty-records"
    edit_handler = ObjectList(
        [
            FieldRowPanel(
                [FieldPanel("received_at"), FieldPanel("channel"), FieldPanel("category")]
            ),
            FieldRowPanel([FieldPanel("resident_name"), FieldPanel("resident_contact")]),
            FieldPanel("request"),
            FieldRowPanel([FieldPanel("shift"), FieldPanel("handled_by")]),
            FieldPanel("undertaken"),
            FieldPanel("answer"),
            FieldPanel("result"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return DutyRecord.objects.select_related("handled_by")


class RosterViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Roster
    icon = "date"
    menu_label = _("Rosters")
    list_display = [
        "__str__",
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
        DateColumn("published_at", label=_("Published")),
    ]
    panels = [FieldPanel("month")]


class DutyShiftViewSet(SnippetViewSet):
    model = DutyShift
    icon = "time"
    menu_label = _("Shifts")
    list_display = ["__str__", Column("place", label=_("Place"))]
    list_filter = ["roster"]
    panels = [
        FieldPanel("roster"),
        FieldPanel("person"),
        FieldPanel("date"),
        FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]),
        FieldPanel("place"),
    ]


class ShiftSwapViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = ShiftSwap
    icon = "resubmit"
    menu_label = _("Shift swaps")
    list_display = [
        "__str__",
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
    ]
    panels = [
        FieldPanel("shift"),
        FieldPanel("from_person"),
        FieldPanel("to_person"),
        FieldPanel("note"),
    ]


class PostViewSet(SnippetViewSet):
    model = Post
    icon = "pick"
    menu_label = _("Posts")
    list_display = ["name"]


class PostAssignmentViewSet(SnippetViewSet):
    model = PostAssignment
    icon = "user"
    menu_label = _("Post assignments")
    list_display = [
        "__str__",
        Column("skill", label=_("Skill")),
        DateColumn("term_start", label=_("Term starts")),
    ]
    list_filter = ["post"]


class ServiceDayViewSet(SnippetViewSet):
    model = ServiceDay
    icon = "calendar-check"
    menu_label = _("Service days")
    list_display = ["__str__", Column("note", label=_("What was done"))]


class InspectionViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Inspection
    icon = "search"
    menu_label = _("Inspections")
    list_display = [
        "__str__",
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
    ]
    panels = [
        FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
        FieldPanel("sampled"),
        FieldPanel("findings"),
    ]


class InspectionRatingViewSet(SnippetViewSet):
    model = InspectionRating
    icon = "pick"
    menu_label = _("Inspection ratings")
    list_display = ["__str__", Column("inspection", label=_("Inspection"))]


class DutyGroup(SnippetViewSetGroup):
    menu_label = _("Duty")
    menu_icon = "time"
    menu_order = 270
    items = (
        DutyRecordViewSet,
        RosterViewSet,
        DutyShiftViewSet,
        ShiftSwapViewSet,
        InspectionViewSet,
        InspectionRatingViewSet,
        PostViewSet,
        PostAssignmentViewSet,
        ServiceDayViewSet,
    )


register_snippet(DutyGroup)


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("duty/assessment/", admin_views.assessment_report, name="duty_assessment"),
    ]


class AssessmentMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.has_perm("duty.view_dutyrecord") and user.has_perm("duty.view_inspection")


@hooks.register("register_admin_menu_item")
def assessment_menu_item():
    return AssessmentMenuItem(
        _("Assessment report"), reverse("duty_assessment"), icon_name="table", order=275
    )
