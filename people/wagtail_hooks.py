from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from core.forms import ReasonForm
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet

from . import admin_views, compliance
from .models import FollowUpState, Person, Talk, Training


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "group"
    menu_label = _("People")
    menu_order = 300
    add_to_admin_menu = True
    inspect_view_enabled = True
    list_display = [
        "name",
        "roles_label",
        "address",
        # 是/否, not Python's True/False.
        Column(
            "is_active",
            label=Person._meta.get_field("is_active").verbose_name,
            accessor=lambda person: _("Yes") if person.is_active else _("No"),
            sort_key="is_active",
        ),
    ]
    list_filter = [
        "is_cadre",
        "is_party_member",
        "is_representative",
        "is_volunteer",
        "party_status",
        "is_active",
    ]
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
        "party_status",
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
                    FieldRowPanel([FieldPanel("is_cadre"), FieldPanel("is_party_member")]),
                    FieldRowPanel([FieldPanel("is_representative"), FieldPanel("is_volunteer")]),
                    FieldPanel("party_status"),
                ],
                heading=_("Roles"),
            ),
            FieldRowPanel([FieldPanel("building"), FieldPanel("unit")]),
            FieldPanel("phone"),
            FieldPanel("user"),
            FieldPanel("is_active"),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )


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
def register_compliance_urls():
    return [
        path(
            "people/compliance/",
            admin_views.compliance_dashboard,
            name="people_compliance",
        ),
    ]


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):
        return compliance.may_view(request.user)


@hooks.register("register_admin_menu_item")
def compliance_menu_item():
    return ComplianceMenuItem(
        _("Cadre compliance"), reverse("people_compliance"), icon_name="table", order=311
    )


class CompliancePanel(Component):
    """On the dashboard of supervisors and the party-affairs office: how many cadres are
    short of training or due a talk, and how many follow-ups are open."""

    name = "cadre_compliance"
    template_name = "people/admin/compliance_panel.html"
    order = 70

    def get_context_data(self, parent_context):
        return {**compliance.counts(), "url": reverse("people_compliance")}


@hooks.register("construct_homepage_panels")
def add_compliance_panel(request, panels):
    if compliance.may_view(request.user):
        panels.append(CompliancePanel())
