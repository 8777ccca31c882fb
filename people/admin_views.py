"""The compliance dashboard (干部合规情况): who is short of training days this year, whose
talk is overdue, which follow-ups are still open; each list downloadable as CSV or XLSX."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response

from .compliance import compliance, may_view
from .models import TALK_INTERVAL_MONTHS, TRAINING_DAYS_PER_YEAR

NOTHING = "—"


def _training_rows(report):
    return [[cadre.name, cadre.training_days] for cadre in report.under_trained]


def _talk_rows(report):
    return [
        [cadre.name, cadre.last_talk if cadre.last_talk else _("never")]
        for cadre in report.overdue_talks
    ]


def _follow_up_rows(report):
    return [
        [talk.cadre.name, talk.committee_member.name, talk.date, talk.follow_up or NOTHING]
        for talk in report.open_follow_ups
    ]


# Each list of the dashboard: its name in the download's address, its headings, its rows.
# Members absent from organisation life (issue 13, with the party's organisation life)
# come here as a fourth list, in the same form.
PARTS = {
    "training": (
        (gettext_lazy("Cadre"), gettext_lazy("Training days this year")),
        _training_rows,
    ),
    "talks": (
        (gettext_lazy("Cadre"), gettext_lazy("Last talk")),
        _talk_rows,
    ),
    "follow-ups": (
        (
            gettext_lazy("Cadre"),
            gettext_lazy("Committee member"),
            gettext_lazy("Date of the talk"),
            gettext_lazy("Follow-up"),
        ),
        _follow_up_rows,
    ),
}


def compliance_dashboard(request):
    if not may_view(request.user):
        raise PermissionDenied
    report = compliance()
    part = request.GET.get("part")
    export = request.GET.get("export")
    if part in PARTS and export in ("csv", "xlsx"):
        headings, rows = PARTS[part]
        return spreadsheet_response(
            export,
            [str(heading) for heading in headings],
            rows(report),
            f"compliance-{part}-{report.today.isoformat()}",
            sheet_title=_("Compliance"),
        )
    return TemplateResponse(
        request,
        "people/admin/compliance.html",
        {
            "header_title": _("Cadre compliance"),
            "report": report,
            "today": date_format(report.today, "DATE_FORMAT"),
            "training_days": TRAINING_DAYS_PER_YEAR,
            "talk_months": TALK_INTERVAL_MONTHS,
            "training": (PARTS["training"][0], _training_rows(report)),
            "talks": (PARTS["talks"][0], _talk_rows(report)),
            "follow_ups": (PARTS["follow-ups"][0], _follow_up_rows(report)),
        },
    )
