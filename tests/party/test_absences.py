"""The compliance dashboard's fourth list, party members absent from organisation life too
often (缺席组织生活过多): the threshold, leave, the year's boundary, the download, the panel's
count, and who sees it (``people`` shows it through its registry, never importing ``party``)."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from core import roles
from party.compliance import absent_too_often
from party.factories import PartyMemberFactory
from party.models import ABSENCES_TOO_MANY, MeetingKind, PartyMember, PartyMemberState
from tests.support import logged_in

from .rolls import ABSENT, LEAVE, PRESENT, held, shanghai

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("people_compliance")
HOME = "/admin/"
EXPORT = {"part": "absences", "export": "csv"}


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office")


@pytest.fixture
def dashboard_only(make_user):
    """A role that may see the compliance dashboard (training and talks) but not the party
    members."""
    group = Group.objects.create(name="Cadre compliance only")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=("wagtailadmin", "people"),
            codename__in=("access_admin", "view_training", "view_talk"),
        )
    )
    return make_user(group.name, username="compliance-only")


@pytest.fixture
def members(clock):
    """On 5 December 2026, in the first branch: 甲 absent without leave exactly
    ``ABSENCES_TOO_MANY`` times this year (present in March); 乙 one absence short, and on
    leave twice; 丙 absent as often, but last year; 丁 absent as often this year, but
    transferred out since."""
    clock.set(shanghai(2026, 12, 5, 10))
    jia, yi, bing = (PartyMemberFactory(person__name=name) for name in ("甲", "乙", "丙"))
    ding = PartyMemberFactory(person__name="丁", state=PartyMemberState.TRANSFERRED_OUT)
    held(datetime.date(2026, 3, 1), {jia: PRESENT, yi: PRESENT, bing: PRESENT, ding: ABSENT})
    for number in range(ABSENCES_TOO_MANY):
        roll = {jia: ABSENT, yi: ABSENT if number else LEAVE, bing: PRESENT, ding: ABSENT}
        kind = MeetingKind.LESSON if number else MeetingKind.GENERAL
        held(datetime.date(2026, 4 + number, 1), roll, kind=kind)
        held(datetime.date(2025, 4 + number, 1), {bing: ABSENT})
    held(datetime.date(2026, 9, 1), {yi: LEAVE})
    return {"甲": jia, "乙": yi, "丙": bing, "丁": ding}


def table(response):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    found = html.select_one("table[data-compliance=absences]")
    if found is None:
        return None
    return [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in found.select("tbody tr")
    ]


def panel_items(response):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    panel = html.select_one("section[aria-labelledby=compliance-heading]")
    return {
        item["data-compliance-panel"]: item.get_text(strip=True)
        for item in panel.select("[data-compliance-panel]")
    }


class TestTheRule:
    def test_exactly_at_the_threshold_counts_one_below_does_not(self, members):
        listed = {member.person.name: member.absent_count for member in absent_too_often(2026)}
        assert listed == {"甲": ABSENCES_TOO_MANY}
        (yi,) = PartyMember.objects.with_attendance(2026).filter(pk=members["乙"].pk)
        assert yi.absent_count == ABSENCES_TOO_MANY - 1

    def test_leave_does_not_count(self, members):
        (yi,) = PartyMember.objects.with_attendance(2026).filter(pk=members["乙"].pk)
        assert yi.leave_count == 2
        # One more absence (not leave) puts 乙 on the list.
        held(datetime.date(2026, 11, 1), {members["乙"]: ABSENT})
        assert {member.person.name for member in absent_too_often(2026)} == {"甲", "乙"}

    def test_last_years_absences_count_for_last_year(self, members):
        assert [member.person.name for member in absent_too_often(2025)] == ["丙"]

    def test_last_attended(self, members):
        (jia,) = absent_too_often(2026)
        assert jia.last_attended == datetime.date(2026, 3, 1)

    def test_the_year_turns_at_midnight_in_the_community(self, clock, office):
        """Absent three times in December 2025: on the list on New Year's Eve, off it half an
        hour after midnight in Shanghai (still 2025 in UTC)."""
        clock.set(shanghai(2025, 12, 31, 23, 30))
        wu = PartyMemberFactory(person__name="戊")
        for day in (1, 15, 31):
            held(datetime.date(2025, 12, day), {wu: ABSENT})
        client = logged_in(office)
        assert [row[0] for row in table(client.get(DASHBOARD))] == ["戊"]

        clock.set(shanghai(2026, 1, 1, 0, 30))
        assert table(client.get(DASHBOARD)) is None


class TestTheDashboard:
    def test_lists_the_members(self, members, office):
        response = logged_in(office).get(DASHBOARD, headers={"accept-language": "en"})
        assert response.status_code == 200
        assert table(response) == [["甲", "第一党支部", str(ABSENCES_TOO_MANY), "March 1, 2026"]]
        assert "Party members absent without leave from 3 or more meetings" in (
            response.content.decode()
        )

    def test_never_attended(self, members, office):
        member = PartyMemberFactory(person__name="庚")
        for month in (1, 2, 3):
            held(datetime.date(2026, month, 20), {member: ABSENT}, branch="第二党支部")
        response = logged_in(office).get(DASHBOARD, headers={"accept-language": "en"})
        assert ["庚", "第一党支部", "3", "never"] in table(response)

    def test_nobody_absent_too_often(self, clock, office):
        clock.set(shanghai(2026, 12, 5, 10))
        response = logged_in(office).get(DASHBOARD, headers={"accept-language": "en"})
        assert table(response) is None
        assert "No party member is absent too often this year." in response.content.decode()

    def test_supervisors_see_it(self, members, supervisor):
        response = logged_in(supervisor).get(DASHBOARD)
        assert [row[0] for row in table(response)] == ["甲"]

    def test_bounded_queries(self, members, office, django_assert_max_num_queries):
        client = logged_in(office)
        client.get(DASHBOARD)
        with django_assert_max_num_queries(20):
            first = client.get(DASHBOARD)
        for number in range(10):
            member = PartyMemberFactory(person__name=f"新{number}")
            for month in (1, 2, 3):
                held(datetime.date(2026, month, 10 + number), {member: ABSENT})
        with django_assert_max_num_queries(20):
            more = client.get(DASHBOARD)
        assert len(table(more)) == len(table(first)) + 10


class TestTheDownload:
    def test_csv(self, members, office):
        response = logged_in(office).get(DASHBOARD, EXPORT, headers={"accept-language": "en"})
        assert response["Content-Type"].startswith("text/csv")
        assert "compliance-absences-2026-12-05.csv" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [
            ["Party member", "Party branch", "Absences without leave this year", "Last attended"],
            ["甲", "第一党支部", "3", "2026-03-01"],
        ]

    def test_xlsx(self, members, supervisor):
        response = logged_in(supervisor).get(DASHBOARD, {**EXPORT, "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[1][:3] == ["甲", "第一党支部", 3]

    def test_typed_text_is_never_a_formula(self, members, office):
        PartyMember.objects.filter(pk=members["甲"].pk).update(branch="=HYPERLINK(1)")
        response = logged_in(office).get(DASHBOARD, EXPORT)
        assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


class TestThePanel:
    @pytest.mark.parametrize("who", ["office", "supervisor"])
    def test_a_fourth_count(self, request, members, who):
        client = logged_in(request.getfixturevalue(who))
        items = panel_items(client.get(HOME, headers={"accept-language": "en"}))
        assert items["absences"] == ("1 party member is absent from organisation life too often.")
        assert len(items) == 4

    def test_counts_each_member(self, members, office):
        held(datetime.date(2026, 11, 1), {members["乙"]: ABSENT})
        items = panel_items(logged_in(office).get(HOME, headers={"accept-language": "en"}))
        assert items["absences"].startswith("2 party members are absent")


class TestWhoSeesIt:
    def test_a_role_that_may_not_see_party_members(self, members, dashboard_only):
        client = logged_in(dashboard_only)
        response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert table(response) is None
        assert "甲" not in response.content.decode()
        # Asking for the download shows the page instead.
        download = client.get(DASHBOARD, EXPORT)
        assert download["Content-Type"].startswith("text/html")
        assert not download.get("Content-Disposition")
        items = panel_items(client.get(HOME))
        assert set(items) == {"training", "talks", "follow-ups"}

    @pytest.mark.parametrize("who", ["editor", "moderator", "cadre"])
    def test_other_roles_are_refused(self, request, members, who):
        response = logged_in(request.getfixturevalue(who)).get(DASHBOARD, EXPORT)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home")
        assert not response.get("Content-Disposition")
        assert "甲" not in response.content.decode()
