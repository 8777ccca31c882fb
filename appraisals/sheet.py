"""The appraisal sheet (考评表): one printable sheet per cadre and year that brings together
the debriefing, the democratic evaluation, the year's training days and talks, the duty
assessment, the committee's decision and the lines to sign. One appraisal's sheet, or every
sheet of a year, each on a page of its own when printed from the browser.

The party-affairs office and the supervisors (who may read appraisals) open it from the
appraisal's listing row, its inspect view, or the admin menu for a whole year. A year's
sheets cost a fixed number of queries, however many cadres there are.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail import hooks
from wagtail.admin.widgets.button import Button, HeaderButton

from core.forms import ReportYearForm
from core.menus import PermissionMenuItem
from core.models import CommunitySettings
from core.viewsets import SnippetInspectView
from duty.api import cadre_assessments
from people.models import TRAINING_DAYS_PER_YEAR, Talk, Training, talk_due_since
from votes.api import evaluation_summaries

from .models import VIEW, Appraisal


@dataclass
class Sheet:
    appraisal: Appraisal
    # {"counts": [(label, ballots), ...], "ballots": n, "satisfaction": 0..1}, or None.
    evaluation: dict | None
    # True when the evaluation is the one kept on the appraisal (what was decided on).
    evaluation_recorded: bool
    training_days: Decimal
    talks: int
    last_talk: datetime.date | None
    talks_as_of: datetime.date
    talk_overdue: bool
    duty: object

    @property
    def training_required(self):
        return TRAINING_DAYS_PER_YEAR

    @property
    def training_complies(self):
        return self.training_days >= TRAINING_DAYS_PER_YEAR

    @property
    def training_missing(self):
        return max(Decimal(TRAINING_DAYS_PER_YEAR) - self.training_days, Decimal(0))

    @property
    def decided_by(self):
        user = self.appraisal.decided_by
        if user is None:
            return ""
        return user.get_full_name() or user.get_username()


def as_of(year, today):
    """The day the year's talks are judged on: today in the current year, the year's last
    day for a past one."""
    return min(today, datetime.date(year, 12, 31))


def sheets(appraisals, year, today=None):
    """The sheets of ``appraisals`` (all of the calendar ``year``), in their order: five
    queries for everything but the duty assessment, which costs a fixed number more."""
    today = today or timezone.localdate()
    appraisals = list(appraisals)
    cadres = [appraisal.cadre for appraisal in appraisals]
    ids = [cadre.pk for cadre in cadres]
    if not appraisals:
        return []
    training = dict(
        Training.objects.in_year(year)
        .filter(person__in=ids)
        .values("person")
        .annotate(days=Sum("days"))
        .values_list("person", "days")
    )
    day = as_of(year, today)
    talks = {
        row["cadre"]: row
        for row in Talk.objects.filter(cadre__in=ids, date__lte=day)
        .values("cadre")
        .annotate(in_year=Count("pk", filter=Q(date__year=year)), last=Max("date"))
    }
    # The evaluation kept on an evaluated appraisal; the published one, as it stands, before.
    live = [appraisal.cadre for appraisal in appraisals if appraisal.evaluation is None]
    summaries = evaluation_summaries(live, year) if live else {}
    duty = cadre_assessments(cadres, year)
    due_since = talk_due_since(day)
    result = []
    for appraisal in appraisals:
        pk = appraisal.cadre_id
        talk = talks.get(pk, {})
        last = talk.get("last")
        recorded = appraisal.evaluation is not None
        result.append(
            Sheet(
                appraisal=appraisal,
                evaluation=appraisal.evaluation if recorded else summaries.get(pk),
                evaluation_recorded=recorded,
                training_days=training.get(pk) or Decimal(0),
                talks=talk.get("in_year", 0),
                last_talk=last,
                talks_as_of=day,
                talk_overdue=last is None or last < due_since,
                duty=duty[pk],
            )
        )
    return result


def _may_view(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied


def _appraisals():
    return Appraisal.objects.select_related("cadre", "decided_by")


def _render(request, context):
    return TemplateResponse(
        request,
        "appraisals/admin/sheet.html",
        {
            "community": CommunitySettings.for_request(request),
            "listing_url": reverse("wagtailsnippets_appraisals_appraisal:list"),
            **context,
        },
    )


def appraisal_sheet(request, pk):
    _may_view(request)
    appraisal = get_object_or_404(_appraisals(), pk=pk)
    return _render(
        request,
        {
            "sheets": sheets([appraisal], appraisal.year),
            "header_title": _("Appraisal sheet: %(appraisal)s") % {"appraisal": appraisal},
            "year": appraisal.year,
            "single": True,
        },
    )


def year_sheets(request):
    _may_view(request)
    query = request.GET if "year" in request.GET else {"year": timezone.localdate().year}
    form = ReportYearForm(query)
    if form.is_valid():
        year = form.cleaned_data["year"]
        found = sheets(_appraisals().of_year(year).order_by("cadre__name", "pk"), year)
    else:
        year, found = None, []
    return _render(
        request,
        {
            "sheets": found,
            "form": form,
            "header_title": _("Appraisal sheets of %(year)s") % {"year": year}
            if year
            else _("Appraisal sheets"),
            "year": year,
            "single": False,
        },
    )


@hooks.register("register_admin_urls")
def register_sheet_urls():
    return [
        path("appraisals/sheets/", year_sheets, name="appraisals_sheets"),
        path("appraisals/<int:pk>/sheet/", appraisal_sheet, name="appraisals_sheet"),
    ]


@hooks.register("register_snippet_listing_buttons")
def sheet_listing_button(snippet, user, next_url=None):
    """The sheet, from the appraisal's row in the listing (its "⋯" menu)."""
    if isinstance(snippet, Appraisal) and user.has_perm(VIEW):
        yield Button(
            gettext_lazy("Appraisal sheet"),
            reverse("appraisals_sheet", args=[snippet.pk]),
            icon_name="print",
            priority=90,
        )


class AppraisalInspectView(SnippetInspectView):
    """The appraisal's inspect view, with its sheet in the header (the viewset names it as
    its ``inspect_view_class``)."""

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                gettext_lazy("Appraisal sheet"),
                url=reverse("appraisals_sheet", args=[self.object.pk]),
                icon_name="print",
            ),
        ]


@hooks.register("register_admin_menu_item")
def sheets_menu_item():
    return PermissionMenuItem(
        gettext_lazy("Print appraisal sheets"),
        reverse("appraisals_sheets"),
        icon_name="print",
        order=313,
        permissions=[VIEW],
    )
