from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView

from core.forms import ReasonForm
from core.imports import ImportButtonMixin
from core.menus import PermissionMenuItem, PermissionSubmenuMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetIndexView, SnippetViewSet

from . import cards, reports, viewsets
from .imports import PARTY_MEMBERS
from .models import VIEW, Category, PartyMember, PartyMemberState

ROSTER_LABELS = {
    Category.REGISTERED: _("Roster of registered members"),
    Category.IN_SERVICE: _("Roster of in-service members"),
    Category.MIGRANT: _("Roster of migrant members"),
}


class PartyMemberIndexView(ImportButtonMixin, SnippetIndexView):
    """The listing, which is also the roster (花名册) of a category when filtered by it: its
    export is named after the category, and it offers the category's contact cards (and
    "Import" to those who may add members)."""

    importer = PARTY_MEMBERS

    @property
    def category(self):
        value = self.request.GET.get("category", "")
        return value if value in Category.values else ""

    def get_filename(self):
        return f"party-members-{self.category}" if self.category else "party-members"

    @property
    def header_buttons(self):
        query = urlencode({"category": self.category}) if self.category else ""
        url = reverse("party_contact_cards") + (f"?{query}" if query else "")
        return [
            *super().header_buttons,
            HeaderButton(_("Print contact cards"), url=url, icon_name="print"),
        ]

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        buttons.append(
            ListingButton(
                _("Contact card"),
                url=reverse("party_contact_card", args=[instance.pk]),
                icon_name="print",
                priority=90,
            )
        )
        return buttons


class PartyMemberCreateView(CreateView):
    """The new member form, with the person chosen when it comes from the person's form
    (``?person=<id>``: a new party member's record is added right after the person)."""

    def get_initial(self):
        initial = super().get_initial()
        person = self.request.GET.get("person", "")
        if person.isdigit():
            initial["person"] = int(person)
        return initial


class PartyMemberViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = PartyMember
    index_view_class = PartyMemberIndexView
    add_view_class = PartyMemberCreateView
    icon = "group"
    menu_label = _("Party members")
    # In the "Party members" menu with the rosters (``register_party_menu``).
    add_to_admin_menu = False
    inspect_view_enabled = True
    list_display = ["card_number", "person", "category", "branch", "joined_on", "state"]
    list_filter = ["category", "state", "branch"]

    def get_queryset(self, request):
        # Each row names its person: read with the page, not one query a row.
        return PartyMember.objects.select_related("person")

    search_fields = ["person__name", "branch"]
    search_backend_name = None
    list_export = [
        "card_number",
        "person",
        "category",
        "branch",
        "joined_on",
        "workplace",
        "workplace_organisation",
        "contact_hours",
        "relation_held_at",
        "here_since",
        "person.phone",
        "person.address",
        "state",
    ]
    export_headings = {
        "person.phone": _("phone"),
        "person.address": _("address"),
    }
    export_filename = "party-members"
    edit_handler = ObjectList(
        [
            FieldPanel("person"),
            FieldRowPanel([FieldPanel("category"), FieldPanel("branch")]),
            FieldPanel("joined_on"),
            MultiFieldPanel(
                [
                    FieldPanel("workplace"),
                    FieldPanel("workplace_organisation"),
                    FieldPanel("contact_hours"),
                ],
                heading=_("In-service members"),
            ),
            MultiFieldPanel(
                [FieldPanel("relation_held_at"), FieldPanel("here_since")],
                heading=_("Migrant members"),
            ),
            FieldRowPanel([FieldPanel("transferred_in_from"), FieldPanel("transferred_in_on")]),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )


register_snippet(PartyMemberViewSet)
# Organisation life: meetings and their roll, attendance, activities, feedback sheets.
viewsets.register()


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("party/cards/", cards.contact_cards, name="party_contact_cards"),
        path("party/cards/<int:pk>/", cards.contact_cards, name="party_contact_card"),
    ]


@hooks.register("register_admin_menu_item")
def register_party_menu():
    """Party members and the rosters (花名册) of each category, in one menu."""
    listing = reverse("wagtailsnippets_party_partymember:list")
    items = [
        PermissionMenuItem(
            _("All party members"), listing, icon_name="group", order=1, permissions=[VIEW]
        )
    ]
    items += [
        PermissionMenuItem(
            label,
            f"{listing}?category={category}&state={PartyMemberState.ACTIVE}",
            icon_name="list-ul",
            order=2 + index,
            permissions=[VIEW],
        )
        for index, (category, label) in enumerate(ROSTER_LABELS.items())
    ]
    items.append(
        PermissionMenuItem(
            _("Print contact cards"),
            reverse("party_contact_cards"),
            icon_name="print",
            order=9,
            permissions=[VIEW],
        )
    )
    # Organisation life's registers (party.viewsets), each for those who may view it.
    items += viewsets.menu_items()
    # The organisation-life reports (party.reports), for those who may read them.
    items += reports.menu_items()
    return PermissionSubmenuMenuItem(
        _("Party members"),
        Menu(items=items),
        icon_name="group",
        name="party",
        order=310,
        permissions=[VIEW],
    )


@hooks.register("register_bulk_action")
class PrintCardsBulkAction(SnippetBulkAction):
    """Contact cards for the members ticked in the listing (or every one it lists)."""

    models = [PartyMember]
    display_name = _("Print contact cards")
    action_type = "print_contact_cards"
    aria_label = _("Print the contact cards of the selected members")
    action_priority = 5

    def check_perm(self, member):
        return self.request.user.has_perm(VIEW)

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW):
            raise PermissionDenied
        members, _refused = self.get_actionable_objects()
        query = urlencode([("id", member.pk) for member in members])
        return redirect(f"{reverse('party_contact_cards')}?{query}")


@hooks.register("register_admin_urls")
def register_report_urls():
    """The organisation-life reports and the printable feedback sheets (party.reports)."""
    return reports.urls()


@hooks.register("register_admin_urls")
def register_import_urls():
    """The import of party members from a spreadsheet (party.imports)."""
    return PARTY_MEMBERS.urlpatterns("party/import/")
