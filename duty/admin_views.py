"""Duty cadres' and supervisors' steps on records, rosters, swaps and inspections, and the
assessment report."""

import csv

from django_fsm import can_proceed

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.transitions import TransitionRefused, may_make, perform

from .report import assessment

# model name → {transition: label}; the only steps these views run.
TRANSITIONS = {
    "dutyrecord": {
        "take_on": gettext_lazy("Take on"),
        "resolve": gettext_lazy("Resolve"),
        "refer": gettext_lazy("Refer elsewhere"),
    },
    "roster": {"publish": gettext_lazy("Publish the roster")},
    "shiftswap": {
        "accept": gettext_lazy("Accept the swap"),
        "decline": gettext_lazy("Decline the swap"),
    },
    "inspection": {
        "submit": gettext_lazy("Submit the inspection"),
        "acknowledge": gettext_lazy("Acknowledge"),
    },
}

# Why a step the state allows can still be refused (its conditions), in words.
CONDITIONS = {
    ("dutyrecord", "resolve"): gettext_lazy(
        "Write the answer to the resident and the result first."
    ),
    ("dutyrecord", "refer"): gettext_lazy(
        "Write the answer to the resident first (where the request was referred)."
    ),
    ("roster", "publish"): gettext_lazy("Add the month's shifts first."),
}


def _listing(instance):
    return instance.snippet_viewset.get_url_name("list")


def transition_view(request, model_name, pk, name):
    steps = TRANSITIONS.get(model_name)
    if not steps or name not in steps:
        raise Http404
    model = apps.get_model("duty", model_name)
    instance = get_object_or_404(model, pk=pk)
    method = getattr(instance, name)
    if not may_make(instance, name, request.user):
        raise PermissionDenied
    if request.method == "POST":
        try:
            perform(instance, name, request.user, reason=request.POST.get("reason", "")[:500])
        except TransitionRefused:
            if can_proceed(method, check_conditions=False) and (model_name, name) in CONDITIONS:
                messages.error(request, CONDITIONS[(model_name, name)])
            else:
                messages.error(
                    request,
                    _("“%(record)s” is %(state)s: that step is not possible.")
                    % {"record": instance, "state": instance.get_state_display()},
                )
        else:
            messages.success(
                request, _("%(step)s: “%(record)s”.") % {"step": steps[name], "record": instance}
            )
        return redirect(_listing(instance))
    return TemplateResponse(
        request,
        "duty/admin/confirm.html",
        {
            "instance": instance,
            "step": steps[name],
            "header_title": steps[name],
            "cancel_url": _listing_url(instance),
        },
    )


def _listing_url(instance):
    from django.urls import reverse

    return reverse(_listing(instance))


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
        filename = f"assessment-{form.cleaned_data['start']}-{form.cleaned_data['end']}"
        rows = [[str(h) for h in HEADINGS]] + [_row(f) for f in figures]
        if export == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            response.write("\ufeff")
            csv.writer(response).writerows(rows)
            return response
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Assessment"))[:31]
        for row in rows:
            sheet.append(row)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        workbook.save(response)
        return response
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
