"""Organisation life in figures (组织生活统计), for the party-affairs office and supervisors:

- the attendance report: each active member's meetings of the year (on the roll, present, on
  leave, absent), per kind of meeting (三会一课), and the attendance rate;
- the participation report: in-service and migrant members' meetings attended (in their own
  branch or invited in) and the activities they reported, counted by kind with their hours;
- the yearly feedback sheet (反馈表) for an in-service member's workplace party organisation,
  printable from the browser, one sheet per page.

A report reads its members a page at a time, then their attendance and activities in one
grouped query each: a fixed number of queries whatever the number of members. Its download
(CSV or XLSX through ``core.exports``) holds every member the filters select.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import spreadsheet_response
from core.forms import FIRST_YEAR, LAST_YEAR, ReportYearForm
from core.menus import PermissionMenuItem
from core.models import CommunitySettings
from core.paging import slice_page

from .models import (
    REPORTING_CATEGORIES,
    VIEW,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    Category,
    FeedbackSheet,
    MeetingKind,
    PartyMember,
    ReportedActivity,
)

VIEW_ATTENDANCE = "party.view_attendance"
VIEW_ACTIVITY = "party.view_reportedactivity"
VIEW_FEEDBACK = "party.view_feedbacksheet"
PER_PAGE = 50
NOTHING = "—"
EXPORTS = ("csv", "xlsx")


def require(user, *permissions):
    if not all(user.has_perm(permission) for permission in (VIEW, *permissions)):
        raise PermissionDenied


def year_span(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# ---------------------------------------------------------------------------------------
# The figures


@dataclass
class Attended:
    """One member's roll calls in a year: ``counts[kind][status]`` on their own branch's rolls,
    and ``invited_present``: the meetings of other branches they were invited to and came to
    (an invitation is not a meeting they were expected at)."""

    member: PartyMember
    counts: dict = field(default_factory=dict)
    invited_present: int = 0

    def count(self, status=None, kind=None):
        kinds = [kind] if kind else list(self.counts)
        return sum(
            number
            for name in kinds
            for state, number in self.counts.get(name, {}).items()
            if status is None or state == status
        )

    @property
    def expected(self):
        """The meetings whose roll names the member (present, on leave or absent)."""
        return self.count()

    @property
    def present(self):
        return self.count(AttendanceStatus.PRESENT)

    @property
    def on_leave(self):
        return self.count(AttendanceStatus.ON_LEAVE)

    @property
    def absent(self):
        return self.count(AttendanceStatus.ABSENT)

    @property
    def rate(self):
        """Present at this share of the meetings expected (实到 / 应到); None when none."""
        return self.present / self.expected if self.expected else None


def add(figure, row):
    """Count a grouped row of attendance (``kind``, ``status``, ``invited``, ``number``)."""
    if row["invited"]:
        if row["status"] == AttendanceStatus.PRESENT:
            figure.invited_present += row["number"]
        return
    by_status = figure.counts.setdefault(row["kind"], {})
    by_status[row["status"]] = by_status.get(row["status"], 0) + row["number"]


def attendance(members, year, among=None):
    """``Attended`` for each of ``members`` (a list) in ``year``: one query. ``among`` (a
    query of their keys) replaces the list of keys in it, for long lists."""
    first, last = year_span(year)
    figures = {member.pk: Attended(member) for member in members}
    rows = (
        Attendance.objects.filter(
            member__in=list(figures) if among is None else among, date__gte=first, date__lte=last
        )
        .values("member", "kind", "status", "invited")
        .annotate(number=Count("pk"))
    )
    for row in rows:
        add(figures[row["member"]], row)
    return list(figures.values())


def activities(members, year, among=None):
    """``{member pk: {kind: (count, hours)}}`` of the activities reported in ``year``: one
    query (``among`` as for ``attendance``)."""
    first, last = year_span(year)
    found = {}
    rows = (
        ReportedActivity.objects.filter(
            member__in=[member.pk for member in members] if among is None else among,
            date__gte=first,
            date__lte=last,
        )
        .values("member", "kind")
        .annotate(number=Count("pk"), hours=Sum("hours"))
    )
    for row in rows:
        found.setdefault(row["member"], {})[row["kind"]] = (row["number"], row["hours"])
    return found


# ---------------------------------------------------------------------------------------
# The filters


class YearForm(ReportYearForm):
    """The year of the report (with the clear messages of every yearly report), and the
    branch and category it is narrowed to."""

    branch = forms.ChoiceField(label=gettext_lazy("Party branch"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)

    def __init__(self, data, *, categories):
        super().__init__(data)
        branches = (
            PartyMember.objects.active()
            .order_by("branch")
            .values_list("branch", flat=True)
            .distinct()
        )
        everything = [("", _("All"))]
        self.fields["branch"].choices = everything + [(name, name) for name in branches]
        self.fields["category"].choices = everything + [
            (category.value, category.label) for category in categories
        ]


def year_form(request, categories):
    """The filters asked for; this year when no year is asked for."""
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = timezone.localdate().year
    return YearForm(data, categories=categories)


def selected_members(form, categories):
    members = (
        PartyMember.objects.active()
        .filter(category__in=[category.value for category in categories])
        .select_related("person")
        .order_by("branch", "person__name", "pk")
    )
    if form.cleaned_data.get("branch"):
        members = members.filter(branch=form.cleaned_data["branch"])
    if form.cleaned_data.get("category"):
        members = members.filter(category=form.cleaned_data["category"])
    return members


def filter_query(form):
    """The filters as the query of the download and paging links."""
    return urlencode(
        {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
    )


def percent(share):
    return NOTHING if share is None else f"{share:.0%}"


def hours_text(hours):
    return f"{hours.normalize():f}" if isinstance(hours, Decimal) else str(hours)


def report_page(request, *, form, members, figures_for, headings, rows, template, context):
    """The page of the report (``PER_PAGE`` members) or, with ``?export=``, every member
    the filters select as CSV or XLSX."""
    export = request.GET.get("export")
    if export in EXPORTS:
        everyone = figures_for(list(members), among=members.values("pk"))
        return spreadsheet_response(
            export,
            headings["spreadsheet"],
            [rows["spreadsheet"](figure) for figure in everyone],
            context["filename"],
            sheet_title=context["header_title"],
        )
    page = slice_page(members, request.GET.get("p"), PER_PAGE)
    query = filter_query(form)
    return TemplateResponse(
        request,
        template,
        {
            **context,
            "form": form,
            "headings": headings["page"],
            "rows": [rows["page"](figure) for figure in figures_for(page.object_list)],
            "page_obj": page,
            "query": query,
            "extra_query": f"{query}&" if query else "",
        },
    )


def invalid_page(request, form, template, header_title):
    return TemplateResponse(
        request,
        template,
        {"form": form, "header_title": header_title, "rows": [], "headings": []},
    )


# ---------------------------------------------------------------------------------------
# Each member's attendance for the year (党员参加组织生活情况)


def attendance_headings(spreadsheet):
    headings = [
        gettext_lazy("Party member"),
        gettext_lazy("Party branch"),
        gettext_lazy("Category"),
        gettext_lazy("Meetings expected"),
        gettext_lazy("Present"),
        gettext_lazy("On leave"),
        gettext_lazy("Absent without leave"),
        gettext_lazy("Attendance rate"),
        gettext_lazy("Attended when invited in"),
    ]
    for kind in MeetingKind:
        if spreadsheet:
            headings += [
                _("%(kind)s: present") % {"kind": kind.label},
                _("%(kind)s: expected") % {"kind": kind.label},
            ]
        else:
            headings.append(_("%(kind)s (present / expected)") % {"kind": kind.label})
    return headings


def attendance_row(figure, spreadsheet=False):
    member = figure.member
    row = [
        member.person.name,
        member.branch,
        member.get_category_display(),
        figure.expected,
        figure.present,
        figure.on_leave,
        figure.absent,
        percent(figure.rate),
        figure.invited_present,
    ]
    for kind in MeetingKind:
        present = figure.count(AttendanceStatus.PRESENT, kind)
        expected = figure.count(kind=kind)
        row += [present, expected] if spreadsheet else [f"{present} / {expected}"]
    return row


def yearly_report(request, *, title, template, categories, figures, headings, row, filename):
    """A report of a year's figures per member (the members of ``categories``): its page,
    paged, and its CSV/XLSX download; ``figures(members, year, among)`` reads them in a fixed
    number of queries, ``headings`` and ``row`` lay them out for the page or a spreadsheet."""
    form = year_form(request, categories)
    if not form.is_valid():
        return invalid_page(request, form, template, title)
    year = form.cleaned_data["year"]
    return report_page(
        request,
        form=form,
        members=selected_members(form, categories),
        figures_for=lambda members, among=None: figures(members, year, among),
        headings={
            "page": headings(spreadsheet=False),
            "spreadsheet": headings(spreadsheet=True),
        },
        rows={
            "page": row,
            "spreadsheet": lambda figure: row(figure, spreadsheet=True),
        },
        template=template,
        context={"header_title": title, "year": year, "filename": f"{filename}-{year}"},
    )


def attendance_report(request):
    require(request.user, VIEW_ATTENDANCE)
    return yearly_report(
        request,
        title=_("Attendance at organisation life"),
        template="party/admin/attendance_report.html",
        categories=list(Category),
        figures=attendance,
        headings=attendance_headings,
        row=attendance_row,
        filename="attendance",
    )


# ---------------------------------------------------------------------------------------
# In-service and migrant members' participation (在职、流动党员参与情况)


@dataclass
class Participation:
    attended: Attended
    activities: dict

    @property
    def member(self):
        return self.attended.member

    def activity(self, kind):
        return self.activities.get(kind, (0, Decimal("0")))

    @property
    def activity_count(self):
        return sum(number for number, _hours in self.activities.values())

    @property
    def hours(self):
        return sum((hours for _number, hours in self.activities.values()), Decimal("0"))


def participation(members, year, among=None):
    """``Participation`` for each of ``members`` in ``year``: two queries."""
    reported = activities(members, year, among)
    return [
        Participation(figure, reported.get(figure.member.pk, {}))
        for figure in attendance(members, year, among)
    ]


def participation_headings(spreadsheet):
    headings = [
        gettext_lazy("Party member"),
        gettext_lazy("Category"),
        gettext_lazy("Party branch"),
        gettext_lazy("Workplace or where the membership is held"),
        gettext_lazy("Meetings attended in their branch"),
        gettext_lazy("Meetings attended when invited in"),
    ]
    for kind in ActivityKind:
        if spreadsheet:
            headings += [
                _("%(kind)s: activities") % {"kind": kind.label},
                _("%(kind)s: hours") % {"kind": kind.label},
            ]
        else:
            headings.append(_("%(kind)s (activities, hours)") % {"kind": kind.label})
    return [*headings, gettext_lazy("Activities"), gettext_lazy("Hours")]


def participation_row(figure, spreadsheet=False):
    member = figure.member
    row = [
        member.person.name,
        member.get_category_display(),
        member.branch,
        member.workplace or member.relation_held_at or NOTHING,
        figure.attended.present,
        figure.attended.invited_present,
    ]
    for kind in ActivityKind:
        number, hours = figure.activity(kind)
        if spreadsheet:
            row += [number, hours]
        else:
            row.append(
                _("%(number)s, %(hours)s h") % {"number": number, "hours": hours_text(hours)}
            )
    hours = figure.hours
    return [*row, figure.activity_count, hours if spreadsheet else hours_text(hours)]


def participation_report(request):
    require(request.user, VIEW_ATTENDANCE, VIEW_ACTIVITY)
    return yearly_report(
        request,
        title=_("Participation of in-service and migrant members"),
        template="party/admin/participation_report.html",
        categories=[Category(category) for category in REPORTING_CATEGORIES],
        figures=participation,
        headings=participation_headings,
        row=participation_row,
        filename="participation",
    )


# ---------------------------------------------------------------------------------------
# The yearly feedback sheet (在职党员到社区报到反馈表)


@dataclass
class Sheet:
    sheet: FeedbackSheet
    attended: Attended
    activities: list

    @property
    def member(self):
        return self.sheet.member

    @property
    def reporting_in(self):
        return [item for item in self.activities if item.kind == ActivityKind.REPORTING_IN]

    @property
    def hours(self):
        return sum((item.hours for item in self.activities), Decimal("0"))


def feedback_sheets(sheets):
    """Each sheet with its member's year: three queries for any number of sheets."""
    sheets = list(sheets)
    members = {sheet.member_id: sheet.member for sheet in sheets}
    years = {sheet.year for sheet in sheets}
    if not sheets:
        return []
    first, last = year_span(min(years))[0], year_span(max(years))[1]
    reported = {}
    for item in ReportedActivity.objects.filter(
        member__in=list(members), date__gte=first, date__lte=last
    ).order_by("date", "pk"):
        reported.setdefault((item.member_id, item.date.year), []).append(item)
    rolls = {(sheet.member_id, sheet.year): Attended(sheet.member) for sheet in sheets}
    for row in (
        Attendance.objects.filter(member__in=list(members), date__gte=first, date__lte=last)
        .values("member", "date__year", "kind", "status", "invited")
        .annotate(number=Count("pk"))
    ):
        figure = rolls.get((row["member"], row["date__year"]))
        if figure is not None:
            add(figure, row)
    return [
        Sheet(
            sheet,
            rolls[(sheet.member_id, sheet.year)],
            reported.get((sheet.member_id, sheet.year), []),
        )
        for sheet in sheets
    ]


def feedback_sheet_print(request, pk=None):
    """One sheet (``pk``), the sheets ticked (``?id=``) or every sheet of a year (``?year=``)."""
    require(request.user, VIEW_FEEDBACK, VIEW_ATTENDANCE, VIEW_ACTIVITY)
    sheets = FeedbackSheet.objects.select_related("member__person").order_by(
        "year", "member__person__name", "pk"
    )
    if pk is not None:
        sheets = [get_object_or_404(sheets, pk=pk)]
    else:
        ids = [value for value in request.GET.getlist("id") if value.isdigit()]
        year = request.GET.get("year", "")
        if ids:
            sheets = sheets.filter(pk__in=ids)
        elif year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR:
            sheets = sheets.filter(year=int(year))
        else:
            sheets = sheets.none()
    return TemplateResponse(
        request,
        "party/admin/feedback_sheet_print.html",
        {
            "sheets": feedback_sheets(sheets),
            "kinds": list(MeetingKind),
            "community": CommunitySettings.for_request(request),
            "header_title": _("Feedback sheets"),
        },
    )


# ---------------------------------------------------------------------------------------
# In the admin


def menu_items():
    """The reports' entries in the "Party members" menu (orders 20 and 21)."""
    return [
        PermissionMenuItem(
            _("Attendance at organisation life"),
            reverse("party_attendance_report"),
            icon_name="table",
            order=20,
            permissions=(VIEW, VIEW_ATTENDANCE),
        ),
        PermissionMenuItem(
            _("Participation of in-service and migrant members"),
            reverse("party_participation_report"),
            icon_name="table",
            order=21,
            permissions=(VIEW, VIEW_ATTENDANCE, VIEW_ACTIVITY),
        ),
    ]


def urls():
    return [
        path("party/attendance-report/", attendance_report, name="party_attendance_report"),
        path("party/participation/", participation_report, name="party_participation_report"),
        path(
            "party/feedback-sheets/print/",
            feedback_sheet_print,
            name="party_feedback_sheets_print",
        ),
        path(
            "party/feedback-sheets/print/<int:pk>/",
            feedback_sheet_print,
            name="party_feedback_sheet_print",
        ),
    ]
