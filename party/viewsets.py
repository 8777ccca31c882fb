"""The admin of organisation life (组织生活): meetings and their roll, the attendance listing
(read-only: rows change only through a meeting's roll), the activities in-service and migrant
members report, and the yearly feedback sheets. Registered in ``party.wagtail_hooks``, in the
"Party members" menu."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from core.forms import ReasonForm
from core.menus import PermissionMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import (
    DeferredJoinPaginator,
    SnippetIndexView,
    SnippetInspectView,
    SnippetViewSet,
    YesNoColumn,
)

from .admin_forms import MeetingForm
from .filters import AttendanceFilterSet, ReportedActivityFilterSet
from .models import (
    Attendance,
    AttendanceStatus,
    FeedbackSheet,
    FeedbackSheetState,
    Meeting,
    MeetingState,
    ReportedActivity,
)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Attendance is viewed here and written only by a meeting's roll: nobody adds or edits
    a row in the listing, administrators included. Administrators alone may delete a row
    (kept in history, and restorable from there), as they may any record."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return user.is_active and user.is_superuser
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class MeetingIndexView(SnippetIndexView):
    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if instance.state == MeetingState.HELD:
            url = reverse("wagtailsnippets_party_attendance:list")
            buttons.append(
                ListingButton(
                    _("Roll"),
                    url=f"{url}?{urlencode({'meeting': instance.pk})}",
                    icon_name="list-ul",
                    priority=80,
                )
            )
        return buttons


class MeetingInspectView(SnippetInspectView):
    """The meeting, then its roll (one query)."""

    template_name = "party/admin/meeting_inspect.html"

    def get_context_data(self, **kwargs):
        roll = self.object.attendances.select_related("member__person").order_by(
            "invited", "member__person__name", "pk"
        )
        return super().get_context_data(roll=list(roll), **kwargs)


class MeetingViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Meeting
    index_view_class = MeetingIndexView
    inspect_view_class = MeetingInspectView
    icon = "date"
    menu_label = _("Meetings")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "date",
        "kind",
        "branch",
        "topic",
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda meeting: meeting.state == MeetingState.PLANNED,
        ),
    ]
    list_filter = ["kind", "state", "branch"]
    search_fields = ["topic", "branch", "place"]
    search_backend_name = None
    list_export = ["date", "get_kind_display", "branch", "topic", "place", "get_state_display"]
    export_headings = {"get_kind_display": _("kind of meeting"), "get_state_display": _("state")}
    export_filename = "meetings"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind"), FieldPanel("branch"), FieldPanel("date")]),
            FieldPanel("topic"),
            FieldPanel("place"),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=MeetingForm,
    )


class AttendanceIndexView(SnippetIndexView):
    # A million rows: a deep page reads its keys from the index first.
    paginator_class = DeferredJoinPaginator


class AttendanceViewSet(SnippetViewSet):
    model = Attendance
    index_view_class = AttendanceIndexView
    icon = "tick-inverse"
    menu_label = _("Attendance")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "date",
        Column("kind", label=_("Kind of meeting"), accessor="get_kind_display"),
        Column("meeting", label=_("Meeting"), accessor="meeting.topic"),
        Column("member", label=_("Party member"), accessor="member"),
        Column("branch", label=_("Member's branch"), accessor="member.branch"),
        StatusTagColumn(
            "status",
            label=_("Attendance"),
            accessor="get_status_display",
            primary=lambda row: row.status == AttendanceStatus.ABSENT,
        ),
        YesNoColumn("invited", label=Attendance._meta.get_field("invited").verbose_name),
    ]
    filterset_class = AttendanceFilterSet
    search_fields = ["member__person__name"]
    search_backend_name = None
    # Newest first, the order of the indexes on (date, id), (member, date, id) and so on.
    ordering = ["-date", "-id"]
    list_export = [
        "date",
        "get_kind_display",
        "meeting.topic",
        "meeting.branch",
        "member.card_number",
        "member",
        "member.branch",
        "member.get_category_display",
        "get_status_display",
        "reason",
        "invited",
    ]
    export_headings = {
        "get_kind_display": _("kind of meeting"),
        "meeting.topic": _("topic"),
        "meeting.branch": _("branch of the meeting"),
        "member.card_number": _("contact card number"),
        "member.branch": _("member's branch"),
        "member.get_category_display": _("category"),
        "get_status_display": _("attendance"),
    }
    export_filename = "attendance"

    def get_queryset(self, request):
        return Attendance.objects.select_related("meeting", "member__person")


class ReportedActivityViewSet(SnippetViewSet):
    model = ReportedActivity
    icon = "success"
    menu_label = _("Reported activities")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "date",
        "member",
        "kind",
        "hours",
    ]
    filterset_class = ReportedActivityFilterSet
    search_fields = ["member__person__name"]
    search_backend_name = None
    ordering = ["-date", "-id"]
    list_export = [
        "date",
        "member.card_number",
        "member",
        "member.get_category_display",
        "get_kind_display",
        "hours",
        "description",
    ]
    export_headings = {
        "member.card_number": _("contact card number"),
        "member.get_category_display": _("category"),
        "get_kind_display": _("kind of activity"),
    }
    export_filename = "reported-activities"
    edit_handler = ObjectList(
        [
            FieldPanel("member"),
            FieldRowPanel([FieldPanel("date"), FieldPanel("kind"), FieldPanel("hours")]),
            FieldPanel("description"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return ReportedActivity.objects.select_related("member__person")


class FeedbackSheetIndexView(SnippetIndexView):
    def get_list_buttons(self, instance):
        url = reverse("party_feedback_sheet_print", args=[instance.pk])
        return [
            *super().get_list_buttons(instance),
            ListingButton(_("Print"), url=url, icon_name="print", priority=90),
        ]


class FeedbackSheetInspectView(SnippetInspectView):
    """A feedback sheet, with its printable page in the header."""

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Print"),
                url=reverse("party_feedback_sheet_print", args=[self.object.pk]),
                icon_name="print",
            ),
        ]


class FeedbackSheetViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = FeedbackSheet
    index_view_class = FeedbackSheetIndexView
    inspect_view_class = FeedbackSheetInspectView
    icon = "doc-full"
    menu_label = _("Feedback sheets")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "member",
        "year",
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda sheet: sheet.state == FeedbackSheetState.DRAFT,
        ),
        DateColumn("sent_on", label=_("Sent on")),
    ]
    list_filter = ["year", "state"]
    search_fields = ["member__person__name"]
    search_backend_name = None
    list_export = [
        "year",
        "member.card_number",
        "member",
        "member.workplace",
        "member.workplace_organisation",
        "get_state_display",
        "sent_on",
    ]
    export_headings = {
        "get_state_display": _("state"),
        "member.card_number": _("contact card number"),
        "member.workplace": _("workplace"),
        "member.workplace_organisation": _("party organisation of the workplace"),
    }
    export_filename = "feedback-sheets"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("member"), FieldPanel("year")]),
            FieldPanel("comments"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return FeedbackSheet.objects.select_related("member__person")


VIEWSETS = (MeetingViewSet, AttendanceViewSet, ReportedActivityViewSet, FeedbackSheetViewSet)


def register():
    """Register the viewsets (from ``party.wagtail_hooks``), attendance read-only."""
    register_permission_policy(Attendance, ReadOnlyPermissionPolicy(Attendance))
    for viewset in VIEWSETS:
        register_snippet(viewset)


def menu_items():
    """Organisation life's entries in the "Party members" menu (orders 10 to 13)."""
    entries = [
        (_("Meetings (three sessions and one lesson)"), "meeting", "date"),
        (_("Attendance"), "attendance", "tick-inverse"),
        (_("Reported activities"), "reportedactivity", "success"),
        (_("Feedback sheets"), "feedbacksheet", "doc-full"),
    ]
    return [
        PermissionMenuItem(
            label,
            reverse(f"wagtailsnippets_party_{name}:list"),
            icon_name=icon,
            order=10 + index,
            permissions=[f"party.view_{name}"],
        )
        for index, (label, name, icon) in enumerate(entries)
    ]
