"""The assessment report: each cadre's figures for a period, from the record book, the
inspections, the service days and (when present) the year-end evaluation; its admin page
and its CSV/XLSX downloads."""

import datetime
import statistics
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response
from people.models import Person
from votes.api import evaluation_summary

from .models import (
    DutyRecord,
    DutyRecordState,
    InspectionRating,
    InspectionState,
    Rating,
    ServiceDay,
)


@dataclass
class CadreFigures:
    cadre: Person
    handled: int
    resolved: int
    referred: int
    overdue: int
    median_hours_to_answer: float | None
    ratings: list
    service_days: int
    evaluation: dict | None

    @property
    def share_resolved(self):
        return self.resolved / self.handled if self.handled else None

    @property
    def mean_rating(self):
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


def assessment(start, end, cadres=None, *, evaluation=True):
    """Figures for the dates ``start`` to ``end`` (inclusive) of ``cadres`` (people, in the
    order given), or of every cadre in the register by name when none are given.

    A fixed number of queries however many records there are: four, and one more for the
    year-end evaluation of each cadre unless ``evaluation`` is false (``duty.api`` leaves
    it out: the appraisal reads the evaluation itself).
    """
    now = timezone.now()
    if cadres is None:
        cadres, scope = Person.objects.filter(is_cadre=True).order_by("name"), None
    else:
        # Only the cadres asked about: one cadre's figures do not read everyone's records.
        cadres = list(cadres)
        scope = [cadre.pk for cadre in cadres]
    records = DutyRecord.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
    if scope is not None:
        records = records.filter(handled_by__in=scope)
    counts = {
        row["handled_by"]: row
        for row in records.exclude(handled_by=None)
        .values("handled_by")
        .annotate(
            handled=Count("pk"),
            resolved=Count("pk", filter=Q(state=DutyRecordState.RESOLVED)),
            referred=Count("pk", filter=Q(state=DutyRecordState.REFERRED)),
            overdue=Count(
                "pk",
                filter=Q(
                    state__in=(DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS),
                    due_at__lt=now,
                )
                | Q(answered_at__gt=F("due_at")),
            ),
        )
    }
    answer_hours = {}
    for handler, received, answered in (
        records.exclude(handled_by=None)
        .exclude(answered_at=None)
        .values_list("handled_by", "received_at", "answered_at")
    ):
        answer_hours.setdefault(handler, []).append((answered - received).total_seconds() / 3600)
    ratings = {}
    rated = InspectionRating.objects.filter(
        inspection__period_end__gte=start,
        inspection__period_start__lte=end,
        inspection__state__in=(InspectionState.SUBMITTED, InspectionState.ACKNOWLEDGED),
    )
    served = ServiceDay.objects.filter(date__gte=start, date__lte=end)
    if scope is not None:
        rated = rated.filter(cadre__in=scope)
        served = served.filter(assignment__person__in=scope)
    # In the order the inspections were made, so the report reads the same on every database.
    for cadre, rating in rated.order_by(
        "inspection__period_start", "inspection_id", "pk"
    ).values_list("cadre", "rating"):
        ratings.setdefault(cadre, []).append(rating)
    days = dict(
        served.values("assignment__person")
        .annotate(n=Count("pk"))
        .values_list("assignment__person", "n")
    )
    figures = []
    for cadre in cadres:
        row = counts.get(cadre.pk, {})
        hours = answer_hours.get(cadre.pk)
        figures.append(
            CadreFigures(
                cadre=cadre,
                handled=row.get("handled", 0),
                resolved=row.get("resolved", 0),
                referred=row.get("referred", 0),
                overdue=row.get("overdue", 0),
                median_hours_to_answer=statistics.median(hours) if hours else None,
                ratings=ratings.get(cadre.pk, []),
                service_days=days.get(cadre.pk, 0),
                evaluation=evaluation_summary(cadre, year=end.year) if evaluation else None,
            )
        )
    return figures


# ---------------------------------------------------------------------------------------
# The admin page and its downloads

# The dates the report accepts: the community's records start well after the first, and a
# date near the calendar's ends (year 1, year 9999) cannot be turned into a time of day in
# Shanghai at all.
FIRST_DATE = datetime.date(2000, 1, 1)
LAST_DATE = datetime.date(2099, 12, 31)
# What a cell holds when there is nothing to show (no request answered, no rating, no
# evaluation): a dash, never an empty cell that reads like a missing zero.
NOTHING = "—"


class DateInput(forms.DateInput):
    """A browser date picker: its value must be written ``YYYY-MM-DD`` whatever the language
    (the Chinese date format ``2026/01/01`` leaves the field empty)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DateInput)
    end = forms.DateField(label=gettext_lazy("Until"), widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day is not None and not FIRST_DATE <= day <= LAST_DATE:
                self.add_error(
                    name,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {
                        "first": date_format(FIRST_DATE, "DATE_FORMAT"),
                        "last": date_format(LAST_DATE, "DATE_FORMAT"),
                    },
                )
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            raise forms.ValidationError(_("The period cannot end before it starts."))
        return cleaned


def period_form(query):
    """The period asked for, or (when none is asked for) the year so far, as a bound form
    whose fields show the dates the report covers."""
    if "start" in query or "end" in query:
        return PeriodForm(query)
    today = timezone.localdate()
    return PeriodForm({"start": today.replace(month=1, day=1), "end": today})


HEADINGS = [
    gettext_lazy("Cadre"),
    gettext_lazy("Requests handled"),
    gettext_lazy("Median hours to answer"),
    gettext_lazy("Share resolved"),
    gettext_lazy("Referred"),
    gettext_lazy("Overdue requests"),
    gettext_lazy("Inspection ratings"),
    gettext_lazy("Service days"),
    gettext_lazy("Year-end evaluation (satisfied or basically satisfied)"),
]


def rating_text(rating):
    """A rating with its word and its place on the scale: "good (3/3)"."""
    return _("%(label)s (%(rating)s/%(best)s)") % {
        "label": Rating(rating).label,
        "rating": rating,
        "best": max(Rating.values),
    }


def report_row(figure):
    """A cadre's row: counts as numbers (0 included), a dash where there is nothing."""
    return [
        figure.cadre.name,
        figure.handled,
        NOTHING
        if figure.median_hours_to_answer is None
        else round(figure.median_hours_to_answer, 1),
        NOTHING if figure.share_resolved is None else f"{figure.share_resolved:.0%}",
        figure.referred,
        figure.overdue,
        ", ".join(rating_text(rating) for rating in figure.ratings) or NOTHING,
        figure.service_days,
        NOTHING
        if not figure.evaluation
        else f"{figure.evaluation['satisfaction']:.0%} ({figure.evaluation['ballots']})",
    ]


def assessment_report(request):
    if not (
        request.user.has_perm("duty.view_dutyrecord")
        and request.user.has_perm("duty.view_inspection")
    ):
        raise PermissionDenied
    form = period_form(request.GET)
    valid = form.is_valid()
    figures = assessment(form.cleaned_data["start"], form.cleaned_data["end"]) if valid else []
    rows = [report_row(figure) for figure in figures]
    export = request.GET.get("export")
    if valid and export in ("csv", "xlsx"):
        return spreadsheet_response(
            export,
            HEADINGS,
            rows,
            f"assessment-{form.cleaned_data['start']}-{form.cleaned_data['end']}",
            sheet_title=_("Assessment"),
        )
    period = (
        {
            "start": form.cleaned_data["start"].isoformat(),
            "end": form.cleaned_data["end"].isoformat(),
        }
        if valid
        else None
    )
    return TemplateResponse(
        request,
        "duty/admin/assessment.html",
        {
            "form": form,
            "headings": HEADINGS,
            "rows": rows,
            "header_title": _("Assessment report"),
            "scale": ", ".join(
                rating_text(rating) for rating in sorted(Rating.values, reverse=True)
            ),
            "start": form.cleaned_data["start"] if valid else None,
            "end": form.cleaned_data["end"] if valid else None,
            "query": urlencode(period) if period else "",
        },
    )
