"""The assessment report of duty cadres' work."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response

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
