"""The duty admin's own views: the assessment report of duty cadres' work, the edit views
that keep closed and published records read-only, and the recorded steps (a shift's
reassignment, a correction of the time received) that change them with a reason."""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.snippets.views import snippets

from core.exports import spreadsheet_response

from .admin_forms import CorrectReceivedForm, ReassignForm
from .models import (
    CLOSED_STATES,
    HANDLE,
    PUBLISH_ROSTER,
    PUBLISHED_ROSTER_IS_FIXED,
    DutyRecord,
    DutyShift,
    InspectionLocked,
    RosterState,
)
from .report import assessment


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The period cannot end before it starts."))
        return cleaned


HEADINGS = [
    gettext_lazy("Cadre"),
    gettext_lazy("Requests handled"),
    gettext_lazy("Median hours to answer"),
    gettext_lazy("Share resolved"),
    gettext_lazy("Referred"),
    gettext_lazy("Overdue"),
    gettext_lazy("Inspection ratings"),
    gettext_lazy("Service days"),
    gettext_lazy("Year-end evaluation (satisfied or basically satisfied)"),
]


def _row(figure):
    return [
        figure.cadre.name,
        figure.handled,
        "" if figure.median_hours_to_answer is None else round(figure.median_hours_to_answer, 1),
        "" if figure.share_resolved is None else f"{figure.share_resolved:.0%}",
        figure.referred,
        figure.overdue,
        " ".join(str(r) for r in figure.ratings),
        figure.service_days,
        ""
        if not figure.evaluation
        else f"{figure.evaluation['satisfaction']:.0%} ({figure.evaluation['ballots']})",
    ]


def assessment_report(request):
    if not (
        request.user.has_perm("duty.view_dutyrecord")
        and request.user.has_perm("duty.view_inspection")
    ):
        raise PermissionDenied
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today.replace(month=1, day=1), "end": today})
    figures = (
        assessment(form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else []
    )
    export = request.GET.get("export")
    if figures and export in ("csv", "xlsx"):
        return spreadsheet_response(
            export,
            HEADINGS,
            [_row(f) for f in figures],
            f"assessment-{form.cleaned_data['start']}-{form.cleaned_data['end']}",
            sheet_title=_("Assessment"),
        )
    return TemplateResponse(
        request,
        "duty/admin/assessment.html",
        {
            "form": form,
            "headings": HEADINGS,
            "rows": [_row(f) for f in figures],
            "header_title": _("Assessment report"),
            "query": request.GET.urlencode()
            if form.is_valid() and request.GET
            else f"start={today.replace(month=1, day=1)}&end={today}",
        },
    )


# ---------------------------------------------------------------------------------------
# What the admin's edit forms may no longer change, and the recorded steps that change it


class LockedEditMixin:
    """For a snippet edit view: a record that ``locked_because`` names a reason for is
    read-only; the form is refused (GET and POST alike) with that reason, and the user is
    sent to the record's read-only view."""

    def locked_because(self):
        return None

    def run_before_hook(self):
        reason = self.locked_because()
        if reason:
            messages.error(self.request, reason)
            if self.inspect_url_name:
                return redirect(self.inspect_url_name, quote(self.object.pk))
            return redirect(self.index_url_name)
        return super().run_before_hook()


class DutyRecordEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        if self.object.state in CLOSED_STATES:
            return _(
                "This record is closed and read-only. To correct it, reopen it with the reason."
            )
        return None


class RosterEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return PUBLISHED_ROSTER_IS_FIXED if self.object.state == RosterState.PUBLISHED else None


class DutyShiftEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return PUBLISHED_ROSTER_IS_FIXED if self.object.is_published else None


class InspectionEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return InspectionLocked().message if self.object.is_locked else None


class InspectionRatingEditView(LockedEditMixin, snippets.EditView):
    def locked_because(self):
        return InspectionLocked().message if self.object.inspection.is_locked else None


class RecordedStepView(WagtailAdminTemplateMixin, BaseObjectMixin, FormView):
    """A step that is not a change of state but is recorded like one (the one transition
    view's sibling): a form with the step's values and its required reason, allowed to
    ``permission`` while ``refusal`` says nothing against it."""

    model = None
    permission = None
    label = None
    template_name = "duty/admin/recorded_step.html"
    header_icon = "arrow-right"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        refusal = self.refusal()
        if refusal:
            messages.error(request, refusal)
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)

    def refusal(self):
        return None

    def get_page_title(self):
        return self.label

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(self.model._meta.verbose_name_plural),
            },
            {"url": "", "label": self.label},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            label=self.label,
            cancel_url=reverse(self.index_url_name),
            **kwargs,
        )

    def form_valid(self, form):
        self.run(form.cleaned_data)
        messages.success(
            self.request,
            _("%(label)s: “%(object)s”.") % {"label": self.label, "object": self.object},
        )
        return redirect(self.index_url_name)


class ReassignShiftView(RecordedStepView):
    """A roster keeper moves a shift of a published roster to another cadre."""

    model = DutyShift
    permission = PUBLISH_ROSTER
    form_class = ReassignForm
    label = gettext_lazy("Reassign the shift")

    def refusal(self):
        if not self.object.is_published:
            return _("The roster is a draft: edit the shift itself.")
        return None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "shift": self.object}

    def run(self, data):
        self.object.reassign(data["person"], self.request.user, data["reason"])


class CorrectReceivedView(RecordedStepView):
    """A Duty cadre corrects the time an open request was received; the due time follows."""

    model = DutyRecord
    permission = HANDLE
    form_class = CorrectReceivedForm
    label = gettext_lazy("Correct the time received")

    def refusal(self):
        if self.object.state in CLOSED_STATES:
            return _(
                "This record is closed and read-only. To correct it, reopen it with the reason."
            )
        return None

    def get_initial(self):
        return {"received_at": timezone.localtime(self.object.received_at)}

    def run(self, data):
        self.object.correct_received_at(data["received_at"], self.request.user, data["reason"])
