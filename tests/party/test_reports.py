"""The organisation-life reports: each member's attendance for the year, in-service and
migrant members' participation, their downloads, their fixed number of queries, the
printable feedback sheet, and who may see them."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import translation

from core import roles
from party.factories import FeedbackSheetFactory, PartyMemberFactory, ReportedActivityFactory
from party.models import ActivityKind, Category, MeetingKind, PartyMemberState
from tests.support import logged_in

from .rolls import ABSENT, LEAVE, PRESENT, held, shanghai

pytestmark = pytest.mark.django_db

ATTENDANCE = reverse("party_attendance_report")
PARTICIPATION = reverse("party_participation_report")
EN = {"accept-language": "en"}


def in_english(label):
    with translation.override("en"):
        return str(label)


def sheet_url(sheet):
    return reverse("party_feedback_sheet_print", args=[sheet.pk])


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def cadre_user(make_user):
    return make_user(roles.DUTY_CADRES, username="duty-cadre")


@pytest.fixture
def life(clock):
    """On 5 December 2026. First branch: 甲 (registered) and 乙 (in service); second branch:
    丙 (migrant); 丁 transferred out. In 2026: a general meeting of the first branch in March
    (甲 and 丁 present, 乙 on leave), its party lesson in June (甲 absent, 乙 present), a group
    meeting of the second branch in July (丙 present, 乙 invited). In December 2025: a general
    meeting (甲 and 乙 absent)."""
    clock.set(shanghai(2026, 12, 5, 10))
    jia = PartyMemberFactory(person__name="甲")
    yi = PartyMemberFactory(
        person__name="乙",
        person__phone="13912345678",
        person__building="幸福里3号楼",
        in_service=True,
    )
    bing = PartyMemberFactory(person__name="丙", migrant=True, branch="第二党支部")
    ding = PartyMemberFactory(person__name="丁", state=PartyMemberState.TRANSFERRED_OUT)
    held(datetime.date(2026, 3, 1), {jia: PRESENT, yi: LEAVE, ding: PRESENT})
    held(datetime.date(2026, 6, 1), {jia: ABSENT, yi: PRESENT}, kind=MeetingKind.LESSON)
    held(
        datetime.date(2026, 7, 1),
        {bing: PRESENT},
        branch="第二党支部",
        kind=MeetingKind.GROUP,
        invited=[yi],
    )
    held(datetime.date(2025, 12, 20), {jia: ABSENT, yi: ABSENT})
    return {"甲": jia, "乙": yi, "丙": bing, "丁": ding}


@pytest.fixture
def activities(life):
    """乙 reported in in February and served twice; 丙 did one practical thing; 乙's activity
    of last year counts for last year."""
    yi, bing = life["乙"], life["丙"]
    for day, kind, hours in (
        (datetime.date(2026, 2, 1), ActivityKind.REPORTING_IN, "1"),
        (datetime.date(2026, 5, 1), ActivityKind.VOLUNTEER, "3.5"),
        (datetime.date(2026, 8, 1), ActivityKind.VOLUNTEER, "2"),
        (datetime.date(2025, 11, 1), ActivityKind.VOLUNTEER, "8"),
    ):
        ReportedActivityFactory(member=yi, date=day, kind=kind, hours=Decimal(hours))
    ReportedActivityFactory(
        member=bing,
        date=datetime.date(2026, 4, 1),
        kind=ActivityKind.PRACTICAL,
        hours=Decimal("4"),
        description="帮助修缮楼道照明",
    )
    return life


def table(response, report):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    found = html.select_one(f"table[data-report={report}]")
    if found is None:
        return []
    return [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in found.select("tbody tr")
    ]


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def assert_refused(response):
    """Refused as the admin refuses: 403, or back to the dashboard with its message."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not response.get("Content-Disposition")
    assert "甲" not in response.content.decode()
    assert "乙" not in response.content.decode()


class TestAttendance:
    def test_each_active_member_for_the_year(self, life, office):
        response = logged_in(office).get(ATTENDANCE, {"year": 2026}, headers=EN)

        assert response.status_code == 200
        # By branch, then name; 丁 has been transferred out.
        rows = table(response, "attendance")
        assert [row[0] for row in rows] == ["乙", "甲", "丙"]
        yi, jia, bing = rows
        # Expected, present, on leave, absent, rate, invited; then general, committee,
        # group, lesson (present / expected).
        assert yi[3:] == ["2", "1", "1", "0", "50%", "1", "0 / 1", "0 / 0", "0 / 0", "1 / 1"]
        assert jia[3:] == ["2", "1", "0", "1", "50%", "0", "1 / 1", "0 / 0", "0 / 0", "0 / 1"]
        assert bing[3:] == ["1", "1", "0", "0", "100%", "0", "0 / 0", "0 / 0", "1 / 1", "0 / 0"]

    def test_this_year_by_default(self, life, office):
        rows = table(logged_in(office).get(ATTENDANCE), "attendance")
        assert rows[1][0] == "甲"
        assert rows[1][3:5] == ["2", "1"]

    def test_another_year(self, life, office):
        rows = table(logged_in(office).get(ATTENDANCE, {"year": 2025}, headers=EN), "attendance")
        assert [(row[0], row[3], row[6], row[7]) for row in rows] == [
            ("乙", "1", "1", "0%"),
            ("甲", "1", "1", "0%"),
            ("丙", "0", "0", "—"),
        ]

    @pytest.mark.parametrize(
        ("query", "names"),
        [
            ({"branch": "第二党支部"}, ["丙"]),
            ({"category": "in_service"}, ["乙"]),
            ({"branch": "第一党支部", "category": "registered"}, ["甲"]),
        ],
    )
    def test_filters(self, life, office, query, names):
        rows = table(logged_in(office).get(ATTENDANCE, {"year": 2026, **query}), "attendance")
        assert [row[0] for row in rows] == names

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"year": "abc"}, "Give the year as four digits, from 2000 to 2099."),
            ({"year": "1999"}, "Give the year as four digits, from 2000 to 2099."),
            ({"year": "2026", "branch": "没有这个支部"}, "Select a valid choice."),
        ],
    )
    def test_bad_filters_get_a_message(self, life, office, query, message):
        response = logged_in(office).get(ATTENDANCE, query, headers=EN)
        assert response.status_code == 200
        assert table(response, "attendance") == []
        assert message in response.content.decode()
        assert "甲" not in response.content.decode()

    def test_bad_filters_download_nothing(self, life, office):
        response = logged_in(office).get(ATTENDANCE, {"year": "abc", "export": "csv"})
        assert response["Content-Type"].startswith("text/html")

    def test_csv(self, life, office):
        response = logged_in(office).get(ATTENDANCE, {"year": 2026, "export": "csv"}, headers=EN)

        assert "attendance-2026.csv" in response["Content-Disposition"]
        heading, *rows = csv_rows(response)
        assert heading[:9] == [
            "Party member",
            "Party branch",
            "Category",
            "Meetings expected",
            "Present",
            "On leave",
            "Absent without leave",
            "Attendance rate",
            "Attended when invited in",
        ]
        assert heading[9:11] == [
            "branch general meeting: present",
            "branch general meeting: expected",
        ]
        assert rows[1][:9] == [
            "甲",
            "第一党支部",
            in_english(Category.REGISTERED.label),
            "2",
            "1",
            "0",
            "1",
            "50%",
            "0",
        ]
        assert rows[1][9:] == ["1", "1", "0", "0", "0", "0", "0", "1"]

    def test_xlsx_keeps_numbers(self, life, supervisor):
        response = logged_in(supervisor).get(ATTENDANCE, {"year": 2026, "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[2][0] == "甲"
        assert rows[2][3:7] == [2, 1, 0, 1]

    def test_the_download_holds_every_page(self, life, office, monkeypatch):
        monkeypatch.setattr("party.reports.PER_PAGE", 2)
        client = logged_in(office)
        assert len(table(client.get(ATTENDANCE, {"year": 2026}), "attendance")) == 2
        second = client.get(ATTENDANCE, {"year": 2026, "p": 2})
        assert [row[0] for row in table(second, "attendance")] == ["丙"]
        assert len(csv_rows(client.get(ATTENDANCE, {"year": 2026, "export": "csv"}))) == 4

    def test_paged_with_the_filters_kept(self, life, office, monkeypatch):
        monkeypatch.setattr("party.reports.PER_PAGE", 1)
        response = logged_in(office).get(ATTENDANCE, {"year": 2026, "branch": "第一党支部"})
        html = BeautifulSoup(response.content.decode(), "html.parser")
        link = html.select_one("a[rel=next]")["href"]
        assert "branch=" in link and "year=2026" in link and link.endswith("p=2")

    def test_fixed_queries_whatever_the_members(self, life, office, django_assert_max_num_queries):
        client = logged_in(office)
        client.get(ATTENDANCE)
        with django_assert_max_num_queries(15):
            first = client.get(ATTENDANCE, {"year": 2026})
        for number in range(20):
            member = PartyMemberFactory(person__name=f"新{number}")
            held(datetime.date(2026, 9, 1 + number), {member: PRESENT}, kind=MeetingKind.GROUP)
        with django_assert_max_num_queries(15):
            more = client.get(ATTENDANCE, {"year": 2026})
        assert len(table(more, "attendance")) == len(table(first, "attendance")) + 20
        with django_assert_max_num_queries(15):
            client.get(ATTENDANCE, {"year": 2026, "export": "xlsx"})


class TestParticipation:
    def test_in_service_and_migrant_members(self, activities, office):
        response = logged_in(office).get(PARTICIPATION, {"year": 2026}, headers=EN)

        rows = table(response, "participation")
        assert [row[0] for row in rows] == ["乙", "丙"]
        yi, bing = rows
        # Category, branch, workplace, attended in the branch, invited; then reporting in,
        # volunteer service, practical things, discussion; activities, hours.
        assert yi[1:] == [
            in_english(Category.IN_SERVICE.label),
            "第一党支部",
            "区人民医院",
            "1",
            "1",
            "1, 1 h",
            "2, 5.5 h",
            "0, 0 h",
            "0, 0 h",
            "3",
            "6.5",
        ]
        assert bing[3:6] == ["安徽省阜阳市某村党支部", "1", "0"]
        assert bing[7:] == ["0, 0 h", "1, 4 h", "0, 0 h", "1", "4"]

    def test_last_year(self, activities, office):
        rows = table(
            logged_in(office).get(PARTICIPATION, {"year": 2025}, headers=EN), "participation"
        )
        assert rows[0][0] == "乙"
        assert rows[0][4:] == ["0", "0", "0, 0 h", "1, 8 h", "0, 0 h", "0, 0 h", "1", "8"]

    def test_a_registered_member_is_no_choice(self, activities, office):
        response = logged_in(office).get(
            PARTICIPATION, {"year": 2026, "category": "registered"}, headers=EN
        )
        assert table(response, "participation") == []
        assert "Select a valid choice." in response.content.decode()

    def test_xlsx(self, activities, supervisor):
        response = logged_in(supervisor).get(
            PARTICIPATION, {"year": 2026, "export": "xlsx"}, headers=EN
        )
        assert "participation-2026.xlsx" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        heading, yi, _bing = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert heading[6:8] == ["reporting in: activities", "reporting in: hours"]
        assert yi[4:6] == [1, 1]
        assert yi[8:10] == [2, 5.5]
        assert yi[-2:] == [3, 6.5]

    def test_fixed_queries_whatever_the_members(
        self, activities, office, django_assert_max_num_queries
    ):
        client = logged_in(office)
        client.get(PARTICIPATION)
        with django_assert_max_num_queries(15):
            first = client.get(PARTICIPATION, {"year": 2026})
        for number in range(15):
            member = PartyMemberFactory(person__name=f"新{number}", migrant=True)
            ReportedActivityFactory(member=member, date=datetime.date(2026, 3, 1 + number))
        with django_assert_max_num_queries(15):
            more = client.get(PARTICIPATION, {"year": 2026})
        assert len(table(more, "participation")) == len(table(first, "participation")) + 15


class TestFeedbackSheet:
    @pytest.fixture
    def sheet(self, activities):
        return FeedbackSheetFactory(
            member=activities["乙"], year=2026, comments="积极参加社区志愿服务。\n群众评价好。"
        )

    def test_the_printable_sheet(self, sheet, office):
        response = logged_in(office).get(sheet_url(sheet), headers=EN)

        assert response.status_code == 200
        html = BeautifulSoup(response.content.decode(), "html.parser")
        (page,) = html.select("article.sheet")
        text = page.get_text(" ", strip=True)
        for expected in (
            "乙",
            "区人民医院",
            "区人民医院党委",
            "第一党支部",
            sheet.member.card_number,
        ):
            assert expected in text
        assert page.select_one("[data-part=reporting-in]").get_text(strip=True) == ("Feb. 1, 2026")
        activities = page.select("table[data-part=activities] tbody tr")
        assert [row.select("td")[-1].get_text() for row in activities] == ["1", "3.5", "2"]
        assert page.select_one("[data-part=hours]").get_text() == "6.5"
        assert page.select_one("[data-part=attendance]").get_text(" ", strip=True) == (
            "Meetings of the member's branch: 2; present: 1; on leave: 1; absent without "
            "leave: 0. Meetings of other branches attended on invitation: 1."
        )
        assert "群众评价好。" in page.select_one("[data-part=comments]").get_text()
        assert "(stamp)" in text and "Signature" in text
        # For the workplace: no phone or address of the member.
        assert "13912345678" not in text
        assert "幸福里3号楼" not in text

    def test_one_sheet_per_page(self, sheet, office):
        page = logged_in(office).get(sheet_url(sheet)).content.decode()
        assert "@page" in page and "break-after: page" in page

    def test_several_sheets_in_fixed_queries(
        self, sheet, activities, office, django_assert_max_num_queries
    ):
        other = FeedbackSheetFactory(
            member=PartyMemberFactory(person__name="戊", in_service=True), year=2026
        )
        last_year = FeedbackSheetFactory(member=activities["乙"], year=2025)
        client = logged_in(office)
        url = reverse("party_feedback_sheets_print")
        with django_assert_max_num_queries(15):
            response = client.get(url, {"id": [sheet.pk, other.pk, last_year.pk]})
        html = BeautifulSoup(response.content.decode(), "html.parser")
        assert len(html.select("article.sheet")) == 3
        (earlier,) = html.select(f"article[data-sheet='{last_year.pk}']")
        # Last year's sheet shows last year's activity and roll only.
        assert earlier.select_one("[data-part=hours]").get_text() == "8"
        by_year = client.get(url, {"year": 2026})
        assert len(BeautifulSoup(by_year.content, "html.parser").select("article.sheet")) == 2

    def test_printed_from_the_listing(self, sheet, office):
        listing = logged_in(office).get(reverse("wagtailsnippets_party_feedbacksheet:list"))
        assert sheet_url(sheet).encode() in listing.content

    def test_printed_from_the_sheets_own_page(self, sheet, office):
        inspect = logged_in(office).get(
            reverse("wagtailsnippets_party_feedbacksheet:inspect", args=[sheet.pk])
        )
        assert inspect.status_code == 200
        assert sheet_url(sheet).encode() in inspect.content

    def test_an_unknown_sheet(self, office):
        response = logged_in(office).get(reverse("party_feedback_sheet_print", args=[999]))
        assert response.status_code == 404

    def test_nothing_asked_for(self, office):
        response = logged_in(office).get(reverse("party_feedback_sheets_print"), headers=EN)
        assert response.status_code == 200
        assert "No feedback sheet to print." in response.content.decode()


class TestWhoMaySee:
    @pytest.fixture
    def urls(self, activities):
        sheet = FeedbackSheetFactory(member=activities["乙"], year=2026)
        return [
            (ATTENDANCE, {}),
            (ATTENDANCE, {"export": "csv"}),
            (PARTICIPATION, {}),
            (PARTICIPATION, {"export": "xlsx"}),
            (sheet_url(sheet), {}),
            (reverse("party_feedback_sheets_print"), {"year": 2026}),
        ]

    @pytest.mark.parametrize("who", ["office", "supervisor"])
    def test_allowed(self, request, urls, who):
        client = logged_in(request.getfixturevalue(who))
        for url, query in urls:
            assert client.get(url, query).status_code == 200, url

    @pytest.mark.parametrize("who", ["editor", "cadre_user", "moderator", "clerk"])
    def test_refused(self, request, urls, who):
        client = logged_in(request.getfixturevalue(who))
        for url, query in urls:
            assert_refused(client.get(url, query))

    def test_the_menu(self, office, editor):
        assert ATTENDANCE.encode() in logged_in(office).get("/admin/").content
        assert PARTICIPATION.encode() in logged_in(office).get("/admin/").content
        assert ATTENDANCE.encode() not in logged_in(editor).get("/admin/").content
