"""The compliance dashboard (干部合规情况): who is short of training days this year, whose
talk is overdue, which follow-ups are still open, and the lists other registers add
(``compliance.register_part``: the members absent from organisation life); each list
downloadable as CSV or XLSX."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response

from .compliance import compliance, may_view, parts_for
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
# Lists of other registers (members absent from organisation life, from ``party``) come
# after these through ``compliance.register_part``, each shown only to who may see it.
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


def _table(part, registered, report):
    """The headings and rows of the list named ``part`` (among those the user may see)."""
    if part in PARTS:
        headings, rows = PARTS[part]
        return headings, rows(report)
    for other in registered:
        if other.name == part:
            return other.headings, other.rows(report.today)
    return None


def compliance_dashboard(request):
    if not may_view(request.user):
        raise PermissionDenied
    report = compliance()
    registered = parts_for(request.user)
    part = request.GET.get("part")
    export = request.GET.get("export")
    table = _table(part, registered, report) if export in ("csv", "xlsx") else None
    if table:
        headings, rows = table
        return spreadsheet_response(
            export,
            [str(heading) for heading in headings],
            rows,
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
            "registered": [(other, other.rows(report.today)) for other in registered],
        },
    )
