from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from core.menus import PermissionMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetIndexView, SnippetViewSet

from . import (
    admin_views,
    notice_board,  # noqa: F401  (registers the record book's print view)
    report,
)
from .admin_forms import (
    DutyRecordForm,
    DutyShiftForm,
    InspectionForm,
    InspectionRatingForm,
    ShiftSwapForm,
)
from .choosers import duty_record_chooser_viewset
from .filters import DutyRecordFilterSet
from .models import (
    HANDLE,
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
from .permissions import ShiftSwapPermissionPolicy

# The record book's columns that name a resident or where they live: only for those who may
# see residents' contacts (``duty.view_resident_contact``).
PERSONAL_COLUMNS = {"resident_name", "place"}


class DutyRecordIndexView(SnippetIndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        if self.request.user.has_perm("duty.view_resident_contact"):
            return columns
        return [column for column in columns if column.name not in PERSONAL_COLUMNS]


class DutyRecordViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = DutyRecord
    icon = "doc-full"
    menu_label = _("Record book")
    inspect_view_enabled = True
    index_view_class = DutyRecordIndexView
    # Each row tells one request from another: what was asked, where, and by whom.
    list_display = [
        "reference",
        Column(
            "request",
            label=_("Request"),
            accessor=lambda record: Truncator(record.request).chars(40),
        ),
        Column("place", label=_("Building, unit or place")),
        Column("resident_name", label=_("Resident")),
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
    # The fields' filters, and "overdue" (open and past due), which no field holds.
    filterset_class = DutyRecordFilterSet
    search_fields = ["reference", "request", "place"]
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
            FieldRowPanel(
                [
                    FieldPanel("resident_name"),
                    FieldPanel("resident_contact"),
                    FieldPanel("place"),
                ]
            ),
            FieldPanel("request"),
            FieldRowPanel([FieldPanel("shift"), FieldPanel("handled_by")]),
            FieldPanel("undertaken"),
            FieldPanel("answer"),
            FieldPanel("result"),
            FieldPanel("change_reason"),
        ],
        base_form_class=DutyRecordForm,
    )
    # Closed records are read-only; the time received is corrected as its own step
    # (``DutyRecord.correct_received_at``, offered with the other steps).
    edit_view_class = admin_views.DutyRecordEditView

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
    # A published roster changes only through swaps and reassignments of its shifts.
    edit_view_class = admin_views.RosterEditView
    inspect_view_enabled = True


class DutyShiftViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = DutyShift
    icon = "time"
    menu_label = _("Shifts")
    list_display = ["__str__", Column("place", label=_("Place"))]
    list_filter = ["roster"]
    edit_handler = ObjectList(
        [
            FieldPanel("roster"),
            FieldPanel("person"),
            FieldPanel("date"),
            FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]),
            FieldPanel("place"),
        ],
        base_form_class=DutyShiftForm,
    )
    # A shift of a published roster changes hands by swap or by reassignment only (the
    # step ``DutyShift.reassign``, offered on its row).
    edit_view_class = admin_views.DutyShiftEditView
    inspect_view_enabled = True

    def get_queryset(self, request):
        # Each row names its cadre and asks whether its roster is published.
        return DutyShift.objects.select_related("person", "roster")


class ShiftSwapViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = ShiftSwap
    icon = "resubmit"
    menu_label = _("Shift swaps")
    list_display = [
        "__str__",
        StatusTagColumn("state", label=_("State"), accessor="get_state_display"),
    ]
    # The asker is the signed-in cadre, asking about a shift of their own.
    edit_handler = ObjectList(
        [FieldPanel("shift"), FieldPanel("to_person"), FieldPanel("note")],
        base_form_class=ShiftSwapForm,
    )

    def get_queryset(self, request):
        return ShiftSwap.objects.select_related("shift__person", "from_person", "to_person")


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
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
            FieldPanel("sampled"),
            FieldPanel("findings"),
        ],
        base_form_class=InspectionForm,
    )
    # Submitted, the inspection is read-only.
    edit_view_class = admin_views.InspectionEditView
    inspect_view_enabled = True


class InspectionRatingViewSet(SnippetViewSet):
    model = InspectionRating
    icon = "pick"
    menu_label = _("Inspection ratings")
    list_display = ["__str__", Column("inspection", label=_("Inspection"))]
    edit_handler = ObjectList(
        [
            FieldPanel("inspection"),
            FieldPanel("cadre"),
            FieldPanel("rating"),
            FieldPanel("comment"),
        ],
        base_form_class=InspectionRatingForm,
    )
    edit_view_class = admin_views.InspectionRatingEditView
    inspect_view_enabled = True


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


register_permission_policy(ShiftSwap, ShiftSwapPermissionPolicy(ShiftSwap))
register_snippet(DutyGroup)


@hooks.register("register_admin_viewset")
def register_duty_record_chooser():
    # The chooser of the records an inspection samples (``duty.choosers``).
    return duty_record_chooser_viewset


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("duty/assessment/", report.assessment_report, name="duty_assessment"),
    ]


@hooks.register("register_admin_menu_item")
def assessment_menu_item():
    return PermissionMenuItem(
        _("Assessment report"),
        reverse("duty_assessment"),
        icon_name="table",
        order=275,
        permissions=["duty.view_dutyrecord", "duty.view_inspection"],
    )


class DutyRecordsPanel(Component):
    """On the dashboard of those who handle requests: what waits to be taken on, and what
    is overdue, each linking to the record book filtered to it."""

    name = "duty_records"
    template_name = "duty/admin/duty_panel.html"
    order = 60

    def get_context_data(self, parent_context):
        listing = reverse(DutyRecord.snippet_viewset.get_url_name("list"))
        return {
            "new": DutyRecord.objects.filter(state=DutyRecordState.RECEIVED).count(),
            "overdue": DutyRecord.objects.overdue().count(),
            "new_url": f"{listing}?state={DutyRecordState.RECEIVED}",
            "overdue_url": f"{listing}?overdue=true",
        }


@hooks.register("construct_homepage_panels")
def add_duty_records_panel(request, panels):
    if request.user.has_perm(HANDLE):
        panels.append(DutyRecordsPanel())
