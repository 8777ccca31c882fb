"""The admin of key households and visits (重点户走访): the households, the visits, the
promises and their follow-up, the households due a visit this half year, each visitor's
"four hundred" (四个一百) for a year, and a dashboard panel for the cadres."""

import django_filters

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import Menu
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView

from core.exports import yearly_report_response
from core.forms import ReasonForm, report_year
from core.menus import PermissionMenuItem, PermissionSubmenuMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetIndexView, SnippetViewSet, YesNoColumn

from .admin_forms import VisitForm
from .models import (
    VIEW_HOUSEHOLD,
    Household,
    Promise,
    PromiseState,
    Visit,
    half_year,
)
from .tallies import tallies

VIEW_VISIT = "visits.view_visit"
ADD_VISIT = "visits.add_visit"
VIEW_PROMISE = "visits.view_promise"


class HouseholdFilterSet(WagtailFilterSet):
    due = django_filters.ChoiceFilter(
        label=_("Not visited this half year"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        method="filter_due",
    )

    class Meta:
        model = Household
        fields = ["category", "is_active"]

    def filter_due(self, queryset, name, value):
        half = half_year()
        if value == "true":
            return queryset.not_visited_in(half)
        if value == "false":
            return queryset.visited_in(half)
        return queryset


class HouseholdIndexView(SnippetIndexView):
    """The households, each with "Record a visit" for those who may add visits."""

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if self.request.user.has_perm(ADD_VISIT):
            url = reverse("wagtailsnippets_visits_visit:add")
            buttons.append(
                ListingButton(
                    _("Record a visit"),
                    url=f"{url}?{urlencode({'household': instance.pk})}",
                    icon_name="plus",
                    priority=5,
                )
            )
        return buttons


class VisitCreateView(CreateView):
    """A new visit, its household chosen when it comes from the households' listing
    (``?household=<id>``)."""

    def get_initial(self):
        initial = super().get_initial()
        household = self.request.GET.get("household", "")
        if household.isdigit():
            initial["household"] = int(household)
        return initial


class HouseholdViewSet(SnippetViewSet):
    model = Household
    index_view_class = HouseholdIndexView
    icon = "home"
    menu_label = _("Key households")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "head_name",
        Column("address", label=_("address"), accessor="address"),
        Column("category", label=_("category"), accessor="get_category_display"),
        "phone",
        YesNoColumn("is_active", label=Household._meta.get_field("is_active").verbose_name),
    ]
    filterset_class = HouseholdFilterSet
    search_fields = ["head_name", "building"]
    search_backend_name = None
    list_export = ["head_name", "building", "unit", "phone", "get_category_display", "is_active"]
    export_headings = {"get_category_display": _("category")}
    export_filename = "key-households"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("building"), FieldPanel("unit")]),
            FieldRowPanel([FieldPanel("head_name"), FieldPanel("phone")]),
            FieldPanel("category"),
            FieldPanel("notes"),
            FieldPanel("is_active"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )


class VisitViewSet(SnippetViewSet):
    model = Visit
    add_view_class = VisitCreateView
    icon = "user"
    menu_label = _("Visits")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        DateColumn("date", label=_("Date of the visit")),
        Column("household", label=_("head of household"), accessor="household.head_name"),
        Column("address", label=_("address"), accessor="household.address"),
        YesNoColumn(
            "circumstances_known",
            label=Visit._meta.get_field("circumstances_known").verbose_name,
        ),
    ]
    list_filter = ["household__category", "circumstances_known"]
    search_fields = ["household__head_name", "household__building"]
    search_backend_name = None
    ordering = ["-date", "-id"]
    list_export = [
        "date",
        "household.head_name",
        "household.address",
        "visitor_names",
        "circumstances",
        "opinions",
        "circumstances_known",
    ]
    export_headings = {
        "household.head_name": _("head of household"),
        "household.address": _("address"),
        "visitor_names": _("visitors"),
    }
    export_filename = "visits"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("household"), FieldPanel("date")]),
            FieldPanel("visitors"),
            FieldPanel("circumstances"),
            FieldPanel("opinions"),
            FieldPanel("circumstances_known"),
            FieldPanel("promises_made"),
            FieldPanel("change_reason"),
        ],
        base_form_class=VisitForm,
    )

    def get_queryset(self, request):
        return Visit.objects.select_related("household").prefetch_related("visitors")


class PromiseViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Promise
    icon = "tick"
    menu_label = _("Promises")
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = [
        "description",
        Column("household", label=_("head of household"), accessor="visit.household.head_name"),
        DateColumn("visit_date", label=_("Date of the visit"), accessor="visit.date"),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda promise: promise.state == PromiseState.OPEN,
        ),
    ]
    list_filter = ["state"]
    search_fields = ["description", "visit__household__head_name"]
    search_backend_name = None
    list_export = [
        "visit.date",
        "visit.household.head_name",
        "visit.household.address",
        "description",
        "get_state_display",
        "outcome",
        "done_at",
        "handed_to",
        "handed_on_reason",
    ]
    export_headings = {
        "visit.date": _("date of the visit"),
        "visit.household.head_name": _("head of household"),
        "visit.household.address": _("address"),
        "get_state_display": _("state"),
    }
    export_filename = "promises"
    edit_handler = ObjectList(
        [FieldPanel("visit"), FieldPanel("description"), FieldPanel("change_reason")],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return Promise.objects.select_related("visit__household")


register_snippet(HouseholdViewSet)
register_snippet(VisitViewSet)
register_snippet(PromiseViewSet)


def due_url():
    return reverse("wagtailsnippets_visits_household:list") + "?due=true"


def open_promises_url():
    return reverse("wagtailsnippets_visits_promise:list") + f"?state={PromiseState.OPEN}"


# ---------------------------------------------------------------------------------------
# The "four hundred" of each visitor


def tallies_report(request):
    """Each visitor's doors entered, families known and difficulties solved in a year; with
    ``?export=csv`` or ``xlsx`` the same table as a download."""
    if not request.user.has_perm(VIEW_VISIT):
        raise PermissionDenied
    year, year_error = report_year(request)
    rows = tallies(year)
    headings = [
        gettext("Visitor"),
        gettext("Doors entered"),
        gettext("Families known"),
        gettext("Difficulties solved"),
    ]
    title = gettext("Four hundred of the visitors, %(year)s") % {"year": year}
    return yearly_report_response(
        request,
        year=year,
        year_error=year_error,
        title=title,
        headings=headings,
        rows=rows,
        cells=lambda t: [t.visitor.name, t.doors_entered, t.families_known, t.difficulties_solved],
        filename="four-hundred",
        template="visits/admin/tallies.html",
    )


@hooks.register("register_admin_urls")
def register_urls():
    return [path("visits/four-hundred/", tallies_report, name="visits_tallies")]


@hooks.register("register_admin_menu_item")
def register_visits_menu():
    items = [
        PermissionMenuItem(
            _("Key households"),
            reverse("wagtailsnippets_visits_household:list"),
            icon_name="home",
            order=1,
            permissions=[VIEW_HOUSEHOLD],
        ),
        PermissionMenuItem(
            _("Not visited this half year"),
            due_url(),
            icon_name="warning",
            order=2,
            permissions=[VIEW_HOUSEHOLD],
        ),
        PermissionMenuItem(
            _("Visits"),
            reverse("wagtailsnippets_visits_visit:list"),
            icon_name="user",
            order=3,
            permissions=[VIEW_VISIT],
        ),
        PermissionMenuItem(
            _("Promises still open"),
            open_promises_url(),
            icon_name="tick",
            order=4,
            permissions=[VIEW_PROMISE],
        ),
        PermissionMenuItem(
            _("All promises"),
            reverse("wagtailsnippets_visits_promise:list"),
            icon_name="list-ul",
            order=5,
            permissions=[VIEW_PROMISE],
        ),
        PermissionMenuItem(
            _("Four hundred of the visitors"),
            reverse("visits_tallies"),
            icon_name="table",
            order=6,
            permissions=[VIEW_VISIT],
        ),
    ]
    return PermissionSubmenuMenuItem(
        _("Households and visits"),
        Menu(items=items),
        icon_name="home",
        name="visits",
        order=320,
        permissions=[VIEW_HOUSEHOLD],
    )


class VisitsPanel(Component):
    """On the dashboard of those who visit: the households due a visit this half year and
    the promises still open, with links to both lists (one count each)."""

    name = "household_visits"
    template_name = "visits/admin/visits_panel.html"
    order = 75

    def get_context_data(self, parent_context):
        half = half_year()
        return {
            "half": half,
            "due": Household.objects.not_visited_in(half).count(),
            "open_promises": Promise.objects.open().count(),
            "due_url": due_url(),
            "promises_url": open_promises_url(),
        }


@hooks.register("construct_homepage_panels")
def add_visits_panel(request, panels):
    if request.user.has_perm(VIEW_HOUSEHOLD) and request.user.has_perm(VIEW_PROMISE):
        panels.append(VisitsPanel())
