import django_filters

from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSetGroup

from core.forms import ReasonForm
from core.imports import ImportButtonMixin
from core.menus import PermissionMenuItem
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetIndexView, SnippetInspectView, SnippetViewSet, YesNoColumn

from . import admin_views, compliance
from .forms import PartyMembershipPanel, PersonForm, party_member_add_url
from .imports import PEOPLE
from .models import (
    CONTACT_FIELDS,
    VIEW_CONTACT,
    FollowUpState,
    PartyStatus,
    Person,
    Talk,
    Training,
)


class PersonFilterSet(WagtailFilterSet):
    # The category as the party member record keeps it (the one source of it).
    party_category = django_filters.ChoiceFilter(
        field_name="party_member__category",
        choices=PartyStatus.choices,
        label=_("party membership"),
    )

    class Meta:
        model = Person
        fields = ["is_cadre", "is_party_member", "is_representative", "is_volunteer", "is_active"]


def may_see_contact(user):
    return user.has_perm(VIEW_CONTACT)


class PersonIndexView(ImportButtonMixin, SnippetIndexView):
    """The register's listing, with "Import" for those who may add and change persons; a
    person's address and phone (column, search by building, export) only for those who may
    see them (``VIEW_CONTACT``)."""

    importer = PEOPLE

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not may_see_contact(request.user):
            # Searching by building would tell who lives there.
            self.search_fields = ["name"]
            self.list_export = [
                name for name in self.list_export if name not in (*CONTACT_FIELDS, "address")
            ]

    @cached_property
    def columns(self):
        columns = super().columns
        if may_see_contact(self.request.user):
            return columns
        return [column for column in columns if column.name != "address"]


class PersonInspectView(SnippetInspectView):
    def get_fields(self):
        fields = super().get_fields()
        if may_see_contact(self.request.user):
            return fields
        return [name for name in fields if name not in CONTACT_FIELDS]


class PersonCreateView(CreateView):
    def get_success_url(self):
        # A new party member's record is added next (``PersonForm.joining_party``).
        if self.form.cleaned_data.get("joining_party"):
            url = party_member_add_url(self.object)
            if url is not None:
                return url
        return super().get_success_url()


class PersonViewSet(SnippetViewSet):
    model = Person
    index_view_class = PersonIndexView
    icon = "group"
    menu_label = _("People")
    menu_order = 300
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = PersonInspectView
    add_view_class = PersonCreateView
    inspect_view_fields = [
        "name",
        "is_cadre",
        "is_party_member",
        "party_membership",
        "is_representative",
        "is_volunteer",
        "building",
        "unit",
        "phone",
        "user",
        "is_active",
        "notes",
        "created_at",
        "updated_at",
    ]
    list_display = [
        "name",
        "roles_label",
        "party_membership",
        "address",
        YesNoColumn("is_active", label=Person._meta.get_field("is_active").verbose_name),
    ]
    filterset_class = PersonFilterSet
    # Searched in the database (``icontains``), like the record book: a full-text index
    # holds a Chinese name as one word, so "卫东" would not find "周卫东".
    search_fields = ["name", "building"]
    search_backend_name = None
    list_export = [
        "name",
        "is_cadre",
        "is_party_member",
        "is_representative",
        "is_volunteer",
        "party_membership",
        "building",
        "unit",
        "phone",
        "is_active",
    ]
    export_filename = "people"
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("is_cadre"), FieldPanel("is_representative")]),
                    FieldPanel("is_volunteer"),
                    FieldPanel("joining_party"),
                ],
                heading=_("Roles"),
            ),
            PartyMembershipPanel(heading=_("Party membership")),
            FieldRowPanel([FieldPanel("building"), FieldPanel("unit")]),
            FieldPanel("phone"),
            FieldPanel("user"),
            FieldPanel("is_active"),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=PersonForm,
    )

    def get_queryset(self, request):
        # The membership column reads the member record with each person, not per row.
        return Person.objects.select_related("party_member")


register_snippet(PersonViewSet)


# ---------------------------------------------------------------------------------------
# Cadre training (干部培训) and talks (谈心谈话), and the compliance dashboard


class TrainingViewSet(SnippetViewSet):
    model = Training
    icon = "doc-full"
    menu_label = _("Training")
    inspect_view_enabled = True
    list_display = [
        "person",
        "title",
        Column("subject", label=_("Subject area"), accessor="get_subject_display"),
        DateColumn("start_date", label=_("Start date")),
        DateColumn("end_date", label=_("End date")),
        "days",
    ]
    list_filter = ["subject"]
    search_fields = ["title", "provider", "person__name"]
    search_backend_name = None
    list_export = [
        "person",
        "subject",
        "title",
        "provider",
        "start_date",
        "end_date",
        "days",
        "certificate",
    ]
    export_filename = "training"
    edit_handler = ObjectList(
        [
            FieldPanel("person"),
            FieldRowPanel([FieldPanel("subject"), FieldPanel("title")]),
            FieldPanel("provider"),
            FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date"), FieldPanel("days")]),
            FieldPanel("certificate"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return Training.objects.select_related("person")


class TalkViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Talk
    icon = "openquote"
    menu_label = _("Talks")
    inspect_view_enabled = True
    list_display = [
        "cadre",
        "committee_member",
        DateColumn("date", label=_("Date")),
        StatusTagColumn(
            "follow_up_state",
            label=_("Follow-up"),
            accessor="get_follow_up_state_display",
            primary=lambda talk: talk.follow_up_state == FollowUpState.OPEN,
        ),
    ]
    list_filter = ["follow_up_state"]
    search_fields = ["cadre__name", "committee_member__name", "topics"]
    search_backend_name = None
    list_export = [
        "date",
        "cadre",
        "committee_member",
        "topics",
        "problems",
        "follow_up",
        "follow_up_state",
        "done_at",
    ]
    export_filename = "talks"
    edit_handler = ObjectList(
        [
            FieldRowPanel(
                [FieldPanel("cadre"), FieldPanel("committee_member"), FieldPanel("date")]
            ),
            FieldPanel("topics"),
            FieldPanel("problems"),
            FieldPanel("follow_up"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return Talk.objects.select_related("cadre", "committee_member")


class CadresViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Cadre training and talks")
    menu_icon = "user"
    menu_order = 310
    items = (TrainingViewSet, TalkViewSet)


register_snippet(CadresViewSetGroup)


@hooks.register("register_admin_urls")
def register_import_urls():
    return PEOPLE.urlpatterns("people/import/")


@hooks.register("register_admin_urls")
def register_compliance_urls():
    return [
        path(
            "people/compliance/",
            admin_views.compliance_dashboard,
            name="people_compliance",
        ),
    ]


@hooks.register("register_admin_menu_item")
def compliance_menu_item():
    return PermissionMenuItem(
        _("Cadre compliance"),
        reverse("people_compliance"),
        icon_name="table",
        order=311,
        permissions=compliance.VIEW_PERMISSIONS,
    )


class CompliancePanel(Component):
    """On the dashboard of supervisors and the party-affairs office: how many cadres are
    short of training or due a talk, and how many follow-ups are open."""

    name = "cadre_compliance"
    template_name = "people/admin/compliance_panel.html"
    order = 70

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        # The lists other registers add, each for those who may see it (one count each).
        registered = [
            (part.name, part.summary(part.count(today))) for part in compliance.parts_for(self.user)
        ]
        return {
            **compliance.counts(today),
            "registered": registered,
            "url": reverse("people_compliance"),
        }


@hooks.register("construct_homepage_panels")
def add_compliance_panel(request, panels):
    if compliance.may_view(request.user):
        panels.append(CompliancePanel(request.user))
