"""Every CSV and XLSX download writes what people typed as text, never as a live formula.

Each export is fed the same payloads (in a resident's opinion, a name in the register, a
cadre's name, a candidate's label, a voter's name, a reason in history), then read back:
CSV with ``csv`` (the cell starts with ``'``), XLSX with openpyxl (a string cell holding the
text). Numbers still come out as numbers.
"""

import ast
import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from wagtail.snippets.models import get_snippet_models
from wagtail.snippets.views.snippets import IndexView as WagtailSnippetIndexView

from audit.views import HistoryCentreViewSet
from buildings import factories as buildings_factories
from cobuilding import factories as cobuilding_factories
from cobuilding.models import AgreementState
from core import roles
from core.exports import (
    FORMULA_STARTS,
    SafeSpreadsheetExportMixin,
    neutralise,
    spreadsheet_response,
)
from core.transitions import perform
from core.viewsets import SnippetViewSet
from duty.factories import DutyRecordFactory
from opinions.factories import OpinionFactory
from party.factories import (
    AttendanceFactory,
    FeedbackSheetFactory,
    MeetingFactory,
    PartyMemberFactory,
    ReportedActivityFactory,
)
from party.models import ABSENCES_TOO_MANY, AttendanceStatus, MeetingState
from people.factories import PersonFactory, TalkFactory
from people.models import Person
from tests.support import logged_in
from visits.factories import HouseholdFactory, PromiseFactory, VisitFactory
from volunteers import factories as volunteers_factories
from votes.factories import MotionFactory
from votes.models import MotionKind, MotionOption
from votes.services import cast

ROOT = Path(__file__).resolve().parent.parent.parent
PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1+1",
]


# --- Each export, with the payloads typed where people type --------------------------------


@pytest.fixture
def opinions_listing(supervisor):
    for payload in PAYLOADS:
        OpinionFactory(author_name=payload, body=payload)
    return supervisor, "/admin/snippets/opinions/opinion/", {}, None


@pytest.fixture
def people_register(supervisor):
    for payload in PAYLOADS:
        PersonFactory(name=payload)
    return supervisor, "/admin/snippets/people/person/", {}, None


@pytest.fixture
def party_roster(make_user):
    """The roster (花名册) of in-service party members, typed payloads in their workplaces."""
    for payload in PAYLOADS:
        PartyMemberFactory(in_service=True, workplace=payload)
    office = make_user(roles.PARTY_OFFICE, username="party-office")
    return office, "/admin/snippets/party/partymember/", {"category": "in_service"}, None


@pytest.fixture
def talks_listing(make_user):
    """Talks (谈心谈话) whose topics and follow-ups are typed payloads."""
    for payload in PAYLOADS:
        TalkFactory(topics=payload, follow_up=payload)
    office = make_user(roles.PARTY_OFFICE, username="party-talks")
    return office, "/admin/snippets/people/talk/", {}, None


@pytest.fixture
def compliance_follow_ups(supervisor):
    """The compliance dashboard's open follow-ups, typed payloads."""
    for payload in PAYLOADS:
        TalkFactory(follow_up=payload)
    return supervisor, reverse("people_compliance"), {"part": "follow-ups"}, None


@pytest.fixture
def payload_members():
    """An in-service party member in a branch named after each payload, at one meeting of
    their branch this year, with one activity reported."""
    today = timezone.localdate()
    members = []
    for payload in PAYLOADS:
        member = PartyMemberFactory(in_service=True, branch=payload, workplace=payload)
        meeting = MeetingFactory(branch=payload, date=today, state=MeetingState.HELD)
        AttendanceFactory(meeting=meeting, member=member)
        ReportedActivityFactory(member=member, date=today)
        members.append(member)
    return members


@pytest.fixture
def party_attendance(supervisor, payload_members):
    # Column 3 is the number of meetings each member was expected at.
    return supervisor, reverse("party_attendance_report"), {}, lambda rows: [r[3] for r in rows[1:]]


@pytest.fixture
def party_participation(supervisor, payload_members):
    # Column 4 is the number of meetings each member attended in their branch.
    return (
        supervisor,
        reverse("party_participation_report"),
        {},
        lambda rows: [r[4] for r in rows[1:]],
    )


@pytest.fixture
def compliance_absences(supervisor):
    """Members absent too often from the meetings of branches named after the payloads."""
    today = timezone.localdate()
    for payload in PAYLOADS:
        member = PartyMemberFactory(branch=payload)
        for _number in range(ABSENCES_TOO_MANY):
            meeting = MeetingFactory(branch=payload, date=today, state=MeetingState.HELD)
            AttendanceFactory(meeting=meeting, member=member, status=AttendanceStatus.ABSENT)
    # Column 2 is the number of absences.
    return (
        supervisor,
        reverse("people_compliance"),
        {"part": "absences"},
        lambda rows: [r[2] for r in rows[1:]],
    )


@pytest.fixture
def payload_cadres(make_cadre):
    """A cadre named after each payload, each with one request handled today."""
    cadres = []
    for number, payload in enumerate(PAYLOADS):
        _user, person = make_cadre(payload, username=f"cadre{number}")
        DutyRecordFactory(handled_by=person, request=payload)
        cadres.append(person)
    return cadres


@pytest.fixture
def duty_records_listing(supervisor, payload_cadres):
    return supervisor, "/admin/snippets/duty/dutyrecord/", {}, None


@pytest.fixture
def duty_assessment(supervisor, payload_cadres):
    today = timezone.localdate()
    period = {"start": today.replace(month=1, day=1), "end": today}
    # Column 1 is the number of requests each cadre handled.
    return supervisor, reverse("duty_assessment"), period, lambda rows: [r[1] for r in rows[1:]]


@pytest.fixture
def election(clerk):
    """A closed, named election: a candidate labelled with each payload, and a
    representative named with each payload who voted for it."""
    motion = MotionFactory(kind=MotionKind.ELECTION, secret=False)
    for order, payload in enumerate(PAYLOADS):
        MotionOption.objects.create(
            motion=motion, label=payload, candidate=PersonFactory(), sort_order=order
        )
    voters = [PersonFactory(name=payload, is_representative=True) for payload in PAYLOADS]
    perform(motion, "open", clerk)
    for voter, option in zip(voters, motion.options.order_by("sort_order"), strict=True):
        cast(motion.pk, voter, option.pk)
    perform(motion, "close", clerk)
    return motion


@pytest.fixture
def vote_results(clerk, election):
    # One row per option (the votes in column 1), then the totals.
    def votes(rows):
        return [row[1] for row in rows[1 : 1 + len(PAYLOADS)]]

    return clerk, reverse("votes_results", args=[election.pk]), {}, votes


@pytest.fixture
def named_ballots(clerk, election):
    return clerk, reverse("votes_results", args=[election.pk]), {"export": "ballots"}, None


@pytest.fixture
def history_centre(supervisor):
    person = PersonFactory(name="王建国")
    for payload in PAYLOADS:
        person._change_reason = payload
        person.save()
    query = {
        "content_type": ContentType.objects.get_for_model(Person).pk,
        "object_id": person.pk,
    }
    # Column 0 is the entry's number.
    return supervisor, "/admin/history/", query, lambda rows: [row[0] for row in rows[1:]]


@pytest.fixture
def party_orglife_listings(make_user):
    """Organisation life's listings (party.viewsets): meetings, their roll, activities and
    feedback sheets, typed payloads where the office types."""
    office = make_user(roles.PARTY_OFFICE, username="party-orglife")
    for payload in PAYLOADS:
        member = PartyMemberFactory(in_service=True, branch=payload, workplace=payload)
        meeting = MeetingFactory(branch=payload, topic=payload, place=payload)
        perform(
            meeting,
            "take_roll",
            office,
            roll={member.pk: (AttendanceStatus.ON_LEAVE, payload)},
        )
        ReportedActivityFactory(member=member, description=payload)
        FeedbackSheetFactory(member=member, comments=payload)
    return office


@pytest.fixture
def party_meetings_listing(party_orglife_listings):
    return party_orglife_listings, "/admin/snippets/party/meeting/", {}, None


@pytest.fixture
def party_attendance_listing(party_orglife_listings):
    return party_orglife_listings, "/admin/snippets/party/attendance/", {}, None


@pytest.fixture
def party_activities_listing(party_orglife_listings):
    return party_orglife_listings, "/admin/snippets/party/reportedactivity/", {}, None


@pytest.fixture
def party_feedback_listing(party_orglife_listings):
    return party_orglife_listings, "/admin/snippets/party/feedbacksheet/", {}, None


@pytest.fixture
def visits_households_due(supervisor):
    """Key households not visited this half year, their heads named after the payloads."""
    for payload in PAYLOADS:
        HouseholdFactory(head_name=payload, notes=payload)
    return supervisor, "/admin/snippets/visits/household/", {"due": "true"}, None


@pytest.fixture
def visits_open_promises(supervisor):
    """Promises still open, what was promised typed as the payloads."""
    for payload in PAYLOADS:
        PromiseFactory(description=payload)
    return supervisor, "/admin/snippets/visits/promise/", {"state": "open"}, None


@pytest.fixture
def visits_tallies(supervisor):
    """The visitors' "four hundred", a visitor named after each payload."""
    for payload in PAYLOADS:
        VisitFactory(visitors=[PersonFactory(name=payload, is_cadre=True)])
    # Column 1 is the doors each visitor entered.
    return supervisor, reverse("visits_tallies"), {}, lambda rows: [r[1] for r in rows[1:]]


@pytest.fixture
def cobuilding_listings(make_user):
    """The co-building registers, typed payloads where the party-affairs office types."""
    office = make_user(roles.PARTY_OFFICE, username="party-cobuilding")
    for payload in PAYLOADS:
        partner = cobuilding_factories.PartnerFactory(
            name=payload, address=payload, contact_person=payload
        )
        cobuilding_factories.AgreementFactory(
            partner=partner, title=payload, partner_undertakes=payload
        )
        cobuilding_factories.JointActivityFactory(
            title=payload, place=payload, outcome=payload, partners=[partner]
        )
        organisation = cobuilding_factories.NewOrganisationFactory(
            name=payload, address=payload, party_members=3
        )
        cobuilding_factories.GuidanceVisitFactory(
            organisation=organisation, visitors=payload, advice=payload
        )
    return office


@pytest.fixture
def cobuilding_partners(cobuilding_listings):
    return cobuilding_listings, "/admin/snippets/cobuilding/partner/", {}, None


@pytest.fixture
def cobuilding_agreements(cobuilding_listings):
    query = {"state": AgreementState.IN_FORCE}
    return cobuilding_listings, "/admin/snippets/cobuilding/agreement/", query, None


@pytest.fixture
def cobuilding_activities(cobuilding_listings):
    return cobuilding_listings, "/admin/snippets/cobuilding/jointactivity/", {}, None


@pytest.fixture
def cobuilding_organisations(cobuilding_listings):
    """The organisations that need a party organisation (the flag's filter)."""
    query = {"needs_party_organisation": "true"}
    return cobuilding_listings, "/admin/snippets/cobuilding/neworganisation/", query, None


@pytest.fixture
def cobuilding_visits(cobuilding_listings):
    return cobuilding_listings, "/admin/snippets/cobuilding/guidancevisit/", {}, None


@pytest.fixture
def buildings_assessments(supervisor):
    """Building assessments, their assessors typed as the payloads."""
    for payload in PAYLOADS:
        buildings_factories.AssessmentFactory(assessors=payload)
    return supervisor, "/admin/snippets/buildings/assessment/", {}, None


@pytest.fixture
def buildings_scores(supervisor):
    """The scores of building assessments, their evidence typed as the payloads."""
    for payload in PAYLOADS:
        buildings_factories.ScoreFactory(evidence=payload)
    return supervisor, "/admin/snippets/buildings/score/", {}, None


@pytest.fixture
def buildings_projects(supervisor):
    """ "One unit, one brand" projects, named after the payloads."""
    for payload in PAYLOADS:
        buildings_factories.ProjectFactory(name=payload, held_by=payload)
    return supervisor, "/admin/snippets/buildings/project/", {}, None


@pytest.fixture
def volunteers_service_days(supervisor):
    """The service days against the pledge, a volunteer named after each payload (one day at
    an activity each)."""
    for payload in PAYLOADS:
        volunteers_factories.ParticipationFactory(
            person=volunteers_factories.VolunteerFactory(name=payload)
        )
    url = reverse("volunteers_service_days")
    # Column 3 is each person's service days in all.
    return supervisor, url, {}, lambda rows: [r[3] for r in rows[1:]]


@pytest.fixture
def volunteers_listings(supervisor):
    """Teams, activities and pledge cards, their text typed as the payloads."""
    for payload in PAYLOADS:
        team = volunteers_factories.TeamFactory(name=payload, focus=payload)
        volunteers_factories.VolunteerActivityFactory(team=team, title=payload, place=payload)
        volunteers_factories.PledgeCardFactory(
            person=volunteers_factories.PartyMemberPersonFactory(name=payload),
            care_pledged=payload,
        )
    return supervisor


@pytest.fixture
def volunteers_teams(volunteers_listings):
    return volunteers_listings, "/admin/snippets/volunteers/team/", {}, None


@pytest.fixture
def volunteers_activities(volunteers_listings):
    return volunteers_listings, "/admin/snippets/volunteers/volunteeractivity/", {}, None


@pytest.fixture
def volunteers_pledge_cards(volunteers_listings):
    return volunteers_listings, "/admin/snippets/volunteers/pledgecard/", {}, None


EXPORTS = [
    "opinions_listing",
    "people_register",
    "party_roster",
    "talks_listing",
    "compliance_follow_ups",
    "compliance_absences",
    "party_attendance",
    "party_participation",
    "party_meetings_listing",
    "party_attendance_listing",
    "party_activities_listing",
    "party_feedback_listing",
    "duty_records_listing",
    "duty_assessment",
    "vote_results",
    "named_ballots",
    "history_centre",
    "cobuilding_partners",
    "cobuilding_agreements",
    "cobuilding_activities",
    "cobuilding_organisations",
    "cobuilding_visits",
    "visits_households_due",
    "visits_open_promises",
    "visits_tallies",
    "buildings_assessments",
    "buildings_scores",
    "buildings_projects",
    "volunteers_service_days",
    "volunteers_teams",
    "volunteers_activities",
    "volunteers_pledge_cards",
]


def download(export, export_format):
    """The file's bytes and the numbers column picker of one export, in one format."""
    user, url, params, numbers = export
    params = dict(params)
    if params.get("export") == "ballots":
        if export_format == "xlsx":
            params["format"] = "xlsx"
    else:
        params["export"] = export_format
    response = logged_in(user).get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, numbers


@pytest.mark.django_db
@pytest.mark.parametrize("name", EXPORTS)
class TestEveryExport:
    def test_csv_cells_are_never_live(self, request, name):
        response, body, numbers = download(request.getfixturevalue(name), "csv")

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = body.decode("utf-8")
        assert text.startswith("\ufeff"), "Excel needs the BOM to read Chinese"
        rows = list(csv.reader(io.StringIO(text[1:])))
        cells = [cell for row in rows for cell in row]
        for payload in PAYLOADS:
            assert f"'{payload}" in cells
            assert payload not in cells
        assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
        if numbers:
            figures = numbers(rows)
            assert figures and all(figure.isdigit() for figure in figures), figures

    def test_xlsx_cells_are_text_not_formulas(self, request, name):
        _response, body, numbers = download(request.getfixturevalue(name), "xlsx")

        sheet = load_workbook(io.BytesIO(body)).active
        rows = [list(row) for row in sheet.iter_rows()]
        cells = [cell for row in rows for cell in row]
        assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
        for payload in PAYLOADS:
            typed = [cell for cell in cells if cell.value == payload]
            assert typed, payload
            assert {cell.data_type for cell in typed} == {"s"}
        assert not any(
            isinstance(cell.value, str) and cell.value.startswith("'") for cell in cells
        ), "XLSX keeps the text as typed; the quote is for CSV only"
        if numbers:
            figures = numbers(rows)
            assert figures
            assert all(isinstance(cell.value, int) for cell in figures)
            assert {cell.data_type for cell in figures} == {"n"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?export=ballots", "?export=ballots&format=xlsx"])
def test_no_ballot_list_of_a_secret_vote_in_either_format(clerk, query):
    motion = MotionFactory(secret=True)
    perform(motion, "open", clerk)
    perform(motion, "close", clerk)
    response = logged_in(clerk).get(reverse("votes_results", args=[motion.pk]) + query)
    # PermissionDenied, which the Wagtail admin answers by sending the clerk back.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert "Content-Disposition" not in response


# --- The writer itself ---------------------------------------------------------------------


HEADINGS = ["Text", "Count", "Share", "When"]
WHEN = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)
ROWS = [
    ["=1+1", -3, 2.5, WHEN],
    ["@SUM(1+1)", 0, -0.25, None],
    ["#N/A", 7, 1, None],
    ["小区\x01停车", 1, 0, None],
]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_owasp_starts_are_neutralised(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["1+1", " =1", "王建国", "", -1, 2.5, None])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def test_the_report_csv_neutralises_text_and_keeps_numbers():
    response = spreadsheet_response("csv", HEADINGS, ROWS, "report")

    assert response["Content-Disposition"] == 'attachment; filename="report.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header == HEADINGS
    assert [row[0] for row in rows] == ["'=1+1", "'@SUM(1+1)", "#N/A", "小区\x01停车"]
    # Numbers are not text: a negative number keeps its sign without a quote.
    assert [row[1] for row in rows] == ["-3", "0", "7", "1"]
    assert [row[2] for row in rows] == ["2.5", "-0.25", "1", "0"]


def test_the_report_xlsx_writes_text_as_text_and_numbers_as_numbers():
    response = spreadsheet_response("xlsx", HEADINGS, ROWS, "report", sheet_title="考核")

    assert response["Content-Disposition"] == 'attachment; filename="report.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["考核"]
    header, *rows = workbook.active.iter_rows()
    assert [cell.value for cell in header] == HEADINGS
    texts = [row[0] for row in rows]
    # openpyxl would make "=…" a formula and "#N/A" an error cell; both stay text. A control
    # character (which a worksheet cannot hold) is dropped rather than refusing the file.
    assert [cell.value for cell in texts] == ["=1+1", "@SUM(1+1)", "#N/A", "小区停车"]
    assert {cell.data_type for cell in texts} == {"s"}
    assert [row[1].value for row in rows] == [-3, 0, 7, 1]
    assert [row[2].value for row in rows] == [2.5, -0.25, 1, 0]
    assert {row[1].data_type for row in rows} == {"n"}
    # In the site's time zone, as every time in the admin (core.exports.local_time).
    assert rows[0][3].is_date and rows[0][3].value == timezone.localtime(WHEN).replace(tzinfo=None)


def test_a_row_as_long_as_the_headings_only():
    with pytest.raises(ValueError):
        spreadsheet_response("csv", HEADINGS, [["too short"]], "report")


# --- One path for every listing ------------------------------------------------------------

PROJECT_APPS = [
    "audit",
    "blog",
    "cobuilding",
    "core",
    "duty",
    "hearings",
    "home",
    "opinions",
    "people",
    "votes",
]


def test_every_listing_of_the_project_exports_through_the_safe_path():
    viewsets = [
        model.snippet_viewset
        for model in get_snippet_models()
        if model._meta.app_label in PROJECT_APPS
    ]
    assert {type(viewset).__module__.split(".")[0] for viewset in viewsets} >= {
        "people",
        "opinions",
        "votes",
        "duty",
    }
    for viewset in [*viewsets, HistoryCentreViewSet()]:
        assert issubclass(viewset.index_view_class, SafeSpreadsheetExportMixin), viewset


def test_a_viewset_cannot_fall_back_to_wagtails_unsafe_export():
    with pytest.raises(ImproperlyConfigured):

        class _Unsafe(SnippetViewSet):
            model = Person
            index_view_class = WagtailSnippetIndexView


def test_no_app_writes_spreadsheets_by_hand():
    """``csv`` and ``openpyxl`` are for ``core.exports`` (writing) and ``core.imports``
    (reading an uploaded file, which writes nothing) only."""
    found = []
    readers = {ROOT / "core" / "exports.py", ROOT / "core" / "imports.py"}
    for app in PROJECT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path in readers:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                found += [
                    f"{path.relative_to(ROOT)} imports {name}"
                    for name in names
                    if name.split(".")[0] in ("csv", "openpyxl")
                ]
    assert found == []
