from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.snippets.models import register_snippet

from core.transition_views import TransitionViewSetMixin
from core.viewsets import SnippetViewSet

from . import sheet
from .admin_forms import AppraisalForm
from .models import Appraisal, AppraisalState


class AppraisalViewSet(TransitionViewSetMixin, SnippetViewSet):
    model = Appraisal
    icon = "clipboard-list"
    menu_label = _("Year-end appraisals")
    # Beside the registers of people (300), cadre training and talks (310) and party members.
    menu_order = 312
    add_to_admin_menu = True
    inspect_view_enabled = True
    # With a link to the printable appraisal sheet (``appraisals.sheet``, which also adds the
    # sheet's admin URLs, its button on each listing row and the year's sheets in the menu).
    inspect_view_class = sheet.AppraisalInspectView
    list_display = [
        "cadre",
        "year",
        StatusTagColumn(
            "state",
            label=_("State"),
            accessor="get_state_display",
            primary=lambda appraisal: appraisal.state != AppraisalState.DECIDED,
        ),
        DateColumn("debriefed_on", label=_("Debriefed on")),
        Column(
            "satisfaction",
            label=_("Satisfaction"),
            accessor=lambda appraisal: appraisal.satisfaction_display() or "—",
        ),
        Column("bonus_grade", label=_("Bonus grade"), accessor="get_bonus_grade_display"),
        Column("appointment", label=_("Appointment"), accessor="get_appointment_display"),
    ]
    list_filter = ["year", "state"]
    search_fields = ["cadre__name"]
    search_backend_name = None
    list_export = [
        "cadre",
        "year",
        "get_state_display",
        "debriefed_on",
        "evaluation_ballots",
        "satisfaction_display",
        "advanced_display",
        "get_bonus_grade_display",
        "get_appointment_display",
        "adjustment",
        "decision_reason",
        "decided_at",
    ]
    export_headings = {
        "get_state_display": _("State"),
        "evaluation_ballots": _("Ballots"),
        "satisfaction_display": _("Satisfaction"),
        "advanced_display": _("Advanced appraisal"),
        "get_bonus_grade_display": _("Bonus grade"),
        "get_appointment_display": _("Appointment"),
    }
    export_filename = "year-end-appraisals"
    inspect_view_fields = [
        "cadre",
        "year",
        "state",
        "debriefing",
        "debriefed_on",
        "evaluation",
        "evaluated_at",
        "advanced",
        "bonus_grade",
        "appointment",
        "adjustment",
        "decision_reason",
        "decided_at",
        "decided_by",
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("cadre"), FieldPanel("year")]),
            FieldPanel("debriefing"),
            FieldPanel("change_reason"),
        ],
        base_form_class=AppraisalForm,
    )

    def get_queryset(self, request):
        return Appraisal.objects.select_related("cadre")


register_snippet(AppraisalViewSet)
