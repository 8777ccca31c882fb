"""The admin of volunteer service (志愿服务): the teams, the activities with their participants
and hours, the "five ones" pledge cards and their steps, and the service-days report (days at
posts and at activities against the pledge, for a year)."""

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.snippets.models import register_snippet

from core.exports import yearly_report_response
from core.forms import report_year
from core.menus import PermissionMenuItem, PermissionSubmenuMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet, YesNoColumn

from .admin_forms import ActivityForm, PledgeCardForm, TeamForm
from .models import (
    PledgeCard,
    PledgeItem,
    PledgeState,
    Team,
    VolunteerActivity,
)
from .service import service_years

VIEW_TEAM = "volunteers.view_team"
VIEW_ACTIVITY = "volunteers.view_volunteeractivity"
VIEW_PARTICIPATION = "volunteers.view_participation"
VIEW_PLEDGE = "volunteers.view_pledgecard"


class TeamViewSet(SnippetViewSet):
    model = Team
    icon = "group"
    menu_label = _("Volunteer teams")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "name",
        DateColumn("formed_on", label=_("Formed on")),
        Column("member_count", label=_("Members"), accessor="member_count"),
        Column("backbone_count", label=_("Party-member backbone"), accessor="backbone_count"),
        YesNoColumn("active", label=Team._meta.get_field("active").verbose_name),
    ]
    list_filter = ["active"]
    search_fields = ["name", "focus"]
    search_backend_name = None
    list_export = ["name", "focus", "formed_on", "member_count", "backbone_count", "active"]
    export_headings = {"member_count": _("members"), "backbone_count": _("party-member backbone")}
    export_filename = "volunteer-teams"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("formed_on")]),
            FieldPanel("focus"),
            FieldPanel("backbone"),
            FieldPanel("members"),
            FieldPanel("active"),
            FieldPanel("change_reason"),
        ],
        base_form_class=TeamForm,
    )

    def get_queryset(self, request):
        return Team.objects.with_counts()


class ActivityViewSet(SnippetViewSet):
    model = VolunteerActivity
    icon = "date"
    menu_label = _("Volunteer activities")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        DateColumn("date", label=_("Date")),
        "title",
        Column("team", label=_("volunteer team"), accessor="team.name"),
        Column("participants", label=_("Participants"), accessor="participant_count"),
        Column("hours", label=_("Hours in all"), accessor="total_hours"),
    ]
    list_filter = ["team"]
    search_fields = ["title", "place"]
    search_backend_name = None
    ordering = ["-date", "-id"]
    list_export = ["date", "title", "team.name", "place", "participant_count", "total_hours"]
    export_headings = {
        "team.name": _("volunteer team"),
        "participant_count": _("participants"),
        "total_hours": _("hours in all"),
    }
    export_filename = "volunteer-activities"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("team"), FieldPanel("date")]),
            FieldPanel("title"),
            FieldPanel("place"),
            FieldPanel("summary"),
            InlinePanel(
                "participations",
                heading=_("Participants and hours"),
                label=_("Participant"),
                panels=[FieldRowPanel([FieldPanel("person"), FieldPanel("hours")])],
            ),
            FieldPanel("change_reason"),
        ],
        base_form_class=ActivityForm,
    )

    def get_queryset(self, request):
        return VolunteerActivity.objects.select_related("team").prefetch_related("participations")


class PledgeCardViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = PledgeCard
    icon = "tasks"
    menu_label = _("Five ones pledge cards")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        Column("person", label=_("party member"), accessor="person.name"),
        "year",
        Column("done", label=_("Done of the five"), accessor="get_done_count_display"),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda card: card.state == PledgeState.OPEN,
        ),
    ]
    list_filter = ["year", "state"]
    search_fields = ["person__name"]
    search_backend_name = None
    list_export = [
        "person.name",
        "year",
        "get_state_display",
        *(
            f"{item}_{part}"
            for item in PledgeItem.values
            for part in ("pledged", "done", "done_on")
        ),
    ]
    export_headings = {"person.name": _("party member"), "get_state_display": _("state")}
    export_filename = "five-ones-pledge-cards"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("person"), FieldPanel("year")]),
            MultiFieldPanel(
                [FieldPanel(f"{item}_pledged") for item in PledgeItem.values],
                heading=_("What is pledged"),
            ),
            FieldPanel("change_reason"),
        ],
        base_form_class=PledgeCardForm,
    )

    def get_queryset(self, request):
        return PledgeCard.objects.select_related("person")


register_snippet(TeamViewSet)
register_snippet(ActivityViewSet)
register_snippet(PledgeCardViewSet)


# ---------------------------------------------------------------------------------------
# Service days against the pledge


def service_days_report(request):
    """Each person who served or pledged in a year: days at posts, at activities, in all
    (distinct dates), days pledged and whether the pledge is met; with ``?export=csv`` or
    ``xlsx`` the same table as a download."""
    if not request.user.has_perm(VIEW_PARTICIPATION):
        raise PermissionDenied
    year, year_error = report_year(request)
    rows = service_years(year)
    headings = [
        gettext("Person"),
        gettext("Days at posts"),
        gettext("Days at activities"),
        gettext("Service days in all"),
        gettext("Days pledged"),
        gettext("Pledge met"),
    ]
    title = gettext("Service days, %(year)s") % {"year": year}
    return yearly_report_response(
        request,
        year=year,
        year_error=year_error,
        title=title,
        headings=headings,
        rows=rows,
        cells=lambda row: [
            row.person.name,
            row.post_days,
            row.activity_days,
            row.total_days,
            row.pledged,
            gettext("Yes") if row.pledge_met else gettext("No"),
        ],
        filename="service-days",
        template="volunteers/admin/service_days.html",
    )


@hooks.register("register_admin_urls")
def register_urls():
    return [path("volunteers/service-days/", service_days_report, name="volunteers_service_days")]


@hooks.register("register_admin_menu_item")
def register_volunteers_menu():
    items = [
        PermissionMenuItem(
            _("Volunteer teams"),
            reverse("wagtailsnippets_volunteers_team:list"),
            icon_name="group",
            order=1,
            permissions=[VIEW_TEAM],
        ),
        PermissionMenuItem(
            _("Volunteer activities"),
            reverse("wagtailsnippets_volunteers_volunteeractivity:list"),
            icon_name="date",
            order=2,
            permissions=[VIEW_ACTIVITY],
        ),
        PermissionMenuItem(
            _("Five ones pledge cards"),
            reverse("wagtailsnippets_volunteers_pledgecard:list"),
            icon_name="tasks",
            order=3,
            permissions=[VIEW_PLEDGE],
        ),
        PermissionMenuItem(
            _("Service days"),
            reverse("volunteers_service_days"),
            icon_name="table",
            order=4,
            permissions=[VIEW_PARTICIPATION],
        ),
    ]
    return PermissionSubmenuMenuItem(
        _("Volunteers"),
        Menu(items=items),
        icon_name="group",
        name="volunteers",
        order=330,
        permissions=[VIEW_TEAM],
    )
