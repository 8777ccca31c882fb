"""The co-building registers (共驻共建) in one admin menu: partner units, agreements, joint
activities, the new organisations (flagged when they need a party organisation) and the
guidance visits paid to them. Only the party-affairs office keeps them; supervisors read."""

import django_filters

from django import forms
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from core.forms import ReasonForm
from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetIndexView, SnippetInspectView, SnippetViewSet, YesNoColumn

from .models import (
    ActivityState,
    Agreement,
    AgreementState,
    GuidanceVisit,
    JointActivity,
    NewOrganisation,
    Partner,
)


class PartnerViewSet(SnippetViewSet):
    model = Partner
    icon = "site"
    menu_label = _("Partner units")
    inspect_view_enabled = True
    list_display = [
        "name",
        "kind",
        "contact_person",
        "contact_phone",
        YesNoColumn("active", label=Partner._meta.get_field("active").verbose_name),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "address", "contact_person"]
    search_backend_name = None
    list_export = [
        "name",
        "get_kind_display",
        "address",
        "contact_person",
        "contact_phone",
        "get_active_display",
    ]
    export_headings = {"get_kind_display": _("kind of unit"), "get_active_display": _("active")}
    export_filename = "partner-units"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("contact_person"), FieldPanel("contact_phone")]),
            FieldPanel("active"),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )


class AgreementViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Agreement
    icon = "doc-full"
    menu_label = _("Agreements")
    inspect_view_enabled = True
    list_display = [
        "title",
        "partner",
        "signed_on",
        DateColumn("valid_until", label=_("Valid until")),
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda agreement: agreement.state == AgreementState.IN_FORCE,
        ),
    ]
    list_filter = ["state", "partner"]
    search_fields = ["title", "partner__name"]
    search_backend_name = None
    list_export = [
        "title",
        "partner",
        "signed_on",
        "valid_until",
        "community_undertakes",
        "partner_undertakes",
        "get_state_display",
        "ended_on",
    ]
    export_headings = {"get_state_display": _("state")}
    export_filename = "co-building-agreements"
    edit_handler = ObjectList(
        [
            FieldPanel("partner"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("signed_on"), FieldPanel("valid_until")]),
            FieldPanel("community_undertakes"),
            FieldPanel("partner_undertakes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return Agreement.objects.select_related("partner")


class JointActivityInspectView(SnippetInspectView):
    def get_field_display_value(self, field_name, field):
        # Wagtail's image display writes "None" for an activity without a photo.
        if field_name == "photo" and self.object.photo_id is None:
            return "—"
        return super().get_field_display_value(field_name, field)


class JointActivityViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = JointActivity
    inspect_view_class = JointActivityInspectView
    icon = "group"
    menu_label = _("Joint activities")
    inspect_view_enabled = True
    list_display = [
        "title",
        "kind",
        "date",
        Column("partners", label=_("Partner units"), accessor="partner_names"),
        "participant_count",
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda activity: activity.state == ActivityState.DRAFT,
        ),
    ]
    list_filter = ["kind", "state", "partners"]
    search_fields = ["title", "place", "outcome"]
    search_backend_name = None
    list_export = [
        "date",
        "title",
        "get_kind_display",
        "partner_names",
        "place",
        "participant_count",
        "outcome",
        "get_state_display",
    ]
    export_headings = {
        "get_kind_display": _("kind of activity"),
        "partner_names": _("partner units"),
        "get_state_display": _("state"),
    }
    export_filename = "joint-activities"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("title"), FieldPanel("kind")]),
            FieldPanel("partners", widget=forms.CheckboxSelectMultiple),
            FieldRowPanel([FieldPanel("date"), FieldPanel("place")]),
            FieldPanel("participant_count"),
            FieldPanel("participants"),
            FieldPanel("outcome"),
            FieldPanel("photo"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return JointActivity.objects.prefetch_related("partners")


class NeedsPartyOrganisationFilter(django_filters.BooleanFilter):
    def filter(self, queryset, value):
        if value is None:
            return queryset
        flagged = queryset.needs_party_organisation()
        return flagged if value else queryset.exclude(pk__in=flagged.values("pk"))


class NewOrganisationFilterSet(WagtailFilterSet):
    needs_party_organisation = NeedsPartyOrganisationFilter(
        label=_("Needs a party organisation"),
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = NewOrganisation
        fields = ["kind", "has_party_organisation"]


class NewOrganisationIndexView(SnippetIndexView):
    def get_list_buttons(self, instance):
        url = reverse("wagtailsnippets_cobuilding_guidancevisit:list")
        return [
            *super().get_list_buttons(instance),
            ListingButton(
                _("Guidance visits"),
                url=f"{url}?{urlencode({'organisation': instance.pk})}",
                icon_name="list-ul",
                priority=80,
            ),
        ]


class NewOrganisationViewSet(SnippetViewSet):
    model = NewOrganisation
    index_view_class = NewOrganisationIndexView
    icon = "home"
    menu_label = _("New organisations")
    inspect_view_enabled = True
    list_display = [
        "name",
        "kind",
        "employees",
        "party_members",
        YesNoColumn(
            "has_party_organisation",
            label=NewOrganisation._meta.get_field("has_party_organisation").verbose_name,
        ),
        YesNoColumn("flagged", label=_("Needs a party organisation")),
        DateColumn("last_visit", label=_("Last guidance visit")),
    ]
    filterset_class = NewOrganisationFilterSet
    search_fields = ["name", "address"]
    search_backend_name = None
    list_export = [
        "name",
        "get_kind_display",
        "address",
        "employees",
        "party_members",
        "get_has_party_organisation_display",
        "party_organisation",
        "get_needs_party_organisation_display",
        "last_visit",
    ]
    export_headings = {
        "get_kind_display": _("kind of organisation"),
        "get_has_party_organisation_display": _("has a party organisation"),
        "get_needs_party_organisation_display": _("needs a party organisation"),
        "last_visit": _("last guidance visit"),
    }
    export_filename = "new-organisations"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("employees"), FieldPanel("party_members")]),
            FieldRowPanel([FieldPanel("has_party_organisation"), FieldPanel("party_organisation")]),
            FieldPanel("notes"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return NewOrganisation.objects.with_flag()


class GuidanceVisitFilterSet(WagtailFilterSet):
    # A link to one organisation's visits (``?organisation=<pk>``), from its listing row.
    organisation = django_filters.NumberFilter(field_name="organisation", widget=forms.HiddenInput)

    class Meta:
        model = GuidanceVisit
        fields = ["organisation__kind"]


class GuidanceVisitViewSet(SnippetViewSet):
    model = GuidanceVisit
    icon = "user"
    menu_label = _("Guidance visits")
    inspect_view_enabled = True
    list_display = ["date", "organisation", "visitors"]
    filterset_class = GuidanceVisitFilterSet
    search_fields = ["organisation__name", "visitors", "advice"]
    search_backend_name = None
    list_export = ["date", "organisation", "visitors", "advice"]
    export_filename = "guidance-visits"
    edit_handler = ObjectList(
        [
            FieldPanel("organisation"),
            FieldRowPanel([FieldPanel("date"), FieldPanel("visitors")]),
            FieldPanel("advice"),
            FieldPanel("change_reason"),
        ],
        base_form_class=ReasonForm,
    )

    def get_queryset(self, request):
        return GuidanceVisit.objects.select_related("organisation")


class CobuildingGroup(SnippetViewSetGroup):
    menu_label = _("Co-building")
    menu_icon = "site"
    menu_order = 320
    items = (
        PartnerViewSet,
        AgreementViewSet,
        JointActivityViewSet,
        NewOrganisationViewSet,
        GuidanceVisitViewSet,
    )


register_snippet(CobuildingGroup)
