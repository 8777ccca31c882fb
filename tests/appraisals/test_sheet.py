"""The appraisal sheet (考评表) on known data: one cadre's year brought together — the
debriefing, the evaluation (kept once recorded, as published before), training days against
the ten-day rule, talks against the six-month rule, the duty assessment, the committee's
decision — for the party-affairs office and the supervisors only; a year's sheets in a fixed
number of queries."""

import datetime
import html
import zoneinfo
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from appraisals.factories import AppraisalFactory
from appraisals.models import Appointment, Appraisal, BonusGrade
from core import roles
from core.transitions import perform
from duty.factories import DutyRecordFactory
from people.factories import CadreFactory, PersonFactory, TalkFactory, TrainingFactory
from tests.support import logged_in
from votes.factories import MotionFactory
from votes.models import MotionKind
from votes.services import cast

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ENGLISH = {"accept-language": "en"}
YEAR = 2025
LIST_URL = "/admin/snippets/appraisals/appraisal/"
REASON = "测评满意率高，工作实绩突出，经社区党委会议研究决定。"

pytestmark = pytest.mark.django_db


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def sheet_url(appraisal):
    return f"/admin/appraisals/{appraisal.pk}/sheet/"


def year_url(year):
    return f"/admin/appraisals/sheets/?year={year}"


def page(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def field(sheet, name):
    return " ".join(sheet.select_one(f"[data-field={name}]").get_text().split())


def refused(response):
    """Refused as Wagtail's admin refuses: back to the dashboard (or a 403)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def office(make_user):
    return make_user(roles.PARTY_OFFICE, username="party-office", first_name="党办", last_name="")


@pytest.fixture
def duty_cadre(make_user):
    return make_user(roles.DUTY_CADRES, username="duty-cadre")


def evaluate(cadre, votes, clerk, clock, at):
    """A published evaluation of ``cadre``: ``votes`` ballots for each option in turn."""
    clock.set(at)
    voters = [PersonFactory(is_representative=True) for _ in range(sum(votes))]
    motion = MotionFactory(kind=MotionKind.EVALUATION, subject=cadre, title=f"{cadre.name}年度测评")
    perform(motion, "open", clerk)
    options = list(motion.options.order_by("sort_order"))
    choices = [option for option, count in zip(options, votes, strict=True) for _ in range(count)]
    for voter, option in zip(voters, choices, strict=True):
        cast(motion.pk, voter, option.pk)
    perform(motion, "close", clerk)
    perform(motion, "publish_results", clerk)
    return motion


def year_of_work(cadre, clerk, clock, votes=(3, 1, 1)):
    """The cadre's 2025: 9.5 days of training (and 3 in 2024), two talks (the last in May),
    two requests handled (one resolved), a published evaluation."""
    TrainingFactory(
        person=cadre,
        start_date=datetime.date(2025, 4, 1),
        end_date=datetime.date(2025, 4, 7),
        days=Decimal("7"),
    )
    TrainingFactory(
        person=cadre,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 9, 3),
        days=Decimal("2.5"),
    )
    TrainingFactory(
        person=cadre,
        start_date=datetime.date(2024, 9, 1),
        end_date=datetime.date(2024, 9, 3),
        days=Decimal("3"),
    )
    committee = PersonFactory(is_cadre=True, name=f"{cadre.name}的谈话人")
    TalkFactory(cadre=cadre, committee_member=committee, date=datetime.date(2025, 2, 10))
    TalkFactory(cadre=cadre, committee_member=committee, date=datetime.date(2025, 5, 10))
    TalkFactory(cadre=cadre, committee_member=committee, date=datetime.date(2024, 11, 1))
    DutyRecordFactory(
        handled_by=cadre,
        received_at=shanghai(2025, 6, 1, 9, 0),
        state="resolved",
        answered_at=shanghai(2025, 6, 1, 12, 0),
        due_at=shanghai(2025, 6, 3, 9, 0),
    )
    DutyRecordFactory(
        handled_by=cadre,
        received_at=shanghai(2025, 7, 1, 9, 0),
        state="referred",
        answered_at=shanghai(2025, 7, 1, 10, 0),
        due_at=shanghai(2025, 7, 3, 9, 0),
    )
    return evaluate(cadre, votes, clerk, clock, shanghai(2025, 12, 20, 10, 0))


@pytest.fixture
def decided(office, clerk, clock):
    """周卫东's 2025 appraisal, decided on the 30th of December."""
    cadre = CadreFactory(name="周卫东")
    year_of_work(cadre, clerk, clock)
    clock.set(shanghai(2025, 12, 22, 9, 0))
    appraisal = AppraisalFactory(
        cadre=cadre, year=YEAR, debriefing="一年来，本人分管社区党建工作。"
    )
    perform(appraisal, "record_debriefing", office, reason="已述职")
    clock.set(shanghai(2025, 12, 28, 9, 0))
    perform(appraisal, "record_evaluation", office, reason="测评结果已公布")
    clock.set(shanghai(2025, 12, 30, 15, 0))
    perform(
        appraisal,
        "decide",
        office,
        reason=REASON,
        advanced=True,
        bonus_grade=BonusGrade.FIRST,
        appointment=Appointment.KEPT,
        adjustment="",
    )
    clock.set(shanghai(2025, 12, 31, 12, 0))
    return Appraisal.objects.get(pk=appraisal.pk)


class TestTheSheet:
    def test_brings_the_year_together(self, decided, office):
        sheet = page(logged_in(office).get(sheet_url(decided), headers=ENGLISH)).select_one(
            "article.sheet"
        )

        assert field(sheet, "cadre") == "周卫东"
        assert (
            "一年来，本人分管社区党建工作。"
            in sheet.select_one("[data-part=debriefing]").get_text()
        )
        # The evaluation kept on the appraisal: 3 satisfied, 1 basically, 1 dissatisfied.
        rows = [
            [cell.get_text(strip=True) for cell in row.select("th, td")]
            for row in sheet.select("[data-part=evaluation] tbody tr")
        ]
        assert rows == [["满意", "3"], ["基本满意", "1"], ["不满意", "1"]]
        assert field(sheet, "ballots") == "5"
        assert field(sheet, "satisfaction").startswith("80%")
        # 9.5 days of 2025's training: half a day short of the ten-day rule.
        assert (
            field(sheet, "training")
            == "9.5 of 10 training days: 0.5 days short of the ten-day rule."
        )
        # Two talks in 2025; the last on the 10th of May, over six months before the 31st
        # of December.
        assert field(sheet, "talks") == "2"
        assert "May 10, 2025" in field(sheet, "last-talk")
        assert field(sheet, "talk-rule").startswith("overdue")
        # The duty assessment of the year.
        assert (field(sheet, "handled"), field(sheet, "referred")) == ("2", "1")
        assert field(sheet, "resolved") == "1 (50%)"
        assert field(sheet, "median-hours") == "2.0"
        # The decision, its reason, who took it and when.
        assert field(sheet, "advanced") == "Yes"
        assert field(sheet, "bonus") == "First-grade bonus"
        assert field(sheet, "appointment") == "Kept in post"
        assert field(sheet, "reason") == REASON
        assert field(sheet, "decided").startswith("党办")
        assert "Dec. 30, 2025" in field(sheet, "decided")
        signatures = sheet.select_one(".sheet__signatures").get_text()
        assert "Cadre appraised (signature)" in signatures

    def test_ten_days_and_a_recent_talk_comply(self, decided, office, clock):
        TrainingFactory(
            person=decided.cadre,
            start_date=datetime.date(2025, 11, 3),
            end_date=datetime.date(2025, 11, 3),
            days=Decimal("0.5"),
        )
        TalkFactory(
            cadre=decided.cadre, committee_member=PersonFactory(), date=datetime.date(2025, 6, 30)
        )

        sheet = page(logged_in(office).get(sheet_url(decided), headers=ENGLISH))

        assert field(sheet, "training") == "10 of 10 training days: meets the ten-day rule."
        # Exactly six months before the 31st of December: in time.
        assert field(sheet, "talk-rule").startswith("kept")
        assert field(sheet, "talks") == "3"

    def test_the_evaluation_is_read_live_until_it_is_recorded(self, office, clerk, clock):
        cadre = CadreFactory(name="林晓梅")
        year_of_work(cadre, clerk, clock, votes=(1, 1, 2))
        appraisal = AppraisalFactory(cadre=cadre, year=YEAR)
        perform(appraisal, "record_debriefing", office)
        client = logged_in(office)

        live = page(client.get(sheet_url(appraisal), headers=ENGLISH))
        assert field(live, "ballots") == "4"
        assert "not yet recorded" in live.select_one("[data-part=evaluation]").get_text()
        assert "Not decided yet." in live.select_one("[data-part=decision]").get_text()

        perform(appraisal, "record_evaluation", office)
        # A second evaluation published the same year changes the live result, not the
        # recorded one.
        evaluate(cadre, (4, 0, 0), clerk, clock, shanghai(2025, 12, 29, 10, 0))
        recorded = page(client.get(sheet_url(appraisal), headers=ENGLISH))
        assert field(recorded, "ballots") == "4"
        assert "As recorded on" in recorded.select_one("[data-part=evaluation]").get_text()

    def test_a_draft_without_an_evaluation(self, office, clock):
        clock.set(shanghai(2025, 3, 1, 9, 0))
        appraisal = AppraisalFactory(cadre=CadreFactory(name="何静"), year=YEAR, debriefing="")

        sheet = page(logged_in(office).get(sheet_url(appraisal), headers=ENGLISH))

        assert "Not written yet." in sheet.select_one("[data-part=debriefing]").get_text()
        assert "No published evaluation" in sheet.select_one("[data-part=evaluation]").get_text()
        assert field(sheet, "last-talk") == "none"
        assert field(sheet, "talk-rule").startswith("overdue")
        assert field(sheet, "median-hours") == "—"

    def test_an_unknown_appraisal_is_not_found(self, office):
        assert logged_in(office).get("/admin/appraisals/999999/sheet/").status_code == 404


class TestWhoMayPrintIt:
    def test_the_office_and_the_supervisors(self, decided, office, supervisor):
        for user in (office, supervisor):
            assert logged_in(user).get(sheet_url(decided)).status_code == 200
            assert logged_in(user).get(year_url(YEAR)).status_code == 200

    def test_nobody_else(self, decided, editor, moderator, duty_cadre, clerk, client):
        for user in (editor, moderator, duty_cadre, clerk):
            assert refused(logged_in(user).get(sheet_url(decided))), user
            assert refused(logged_in(user).get(year_url(YEAR))), user
        response = client.get(sheet_url(decided))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    def test_the_listing_and_the_inspect_view_lead_to_it(self, decided, office, editor):
        client = logged_in(office)
        listing = html.unescape(client.get(LIST_URL).content.decode())
        assert sheet_url(decided) in listing
        inspect = html.unescape(client.get(f"{LIST_URL}inspect/{decided.pk}/").content.decode())
        assert sheet_url(decided) in inspect
        assert "/admin/appraisals/sheets/" in html.unescape(client.get("/admin/").content.decode())
        assert "/admin/appraisals/sheets/" not in html.unescape(
            logged_in(editor).get("/admin/").content.decode()
        )


class TestTheYearsSheets:
    def test_every_sheet_of_the_year_on_a_page_of_its_own(self, decided, office, clock):
        other = AppraisalFactory(cadre=CadreFactory(name="林晓梅"), year=YEAR)
        AppraisalFactory(cadre=decided.cadre, year=YEAR - 1)

        response = logged_in(office).get(year_url(YEAR), headers=ENGLISH)

        sheets = page(response).select("article.sheet")
        assert [field(sheet, "cadre") for sheet in sheets] == ["周卫东", "林晓梅"]
        assert {field(sheet, "state") for sheet in sheets} == {"decided", "draft"}
        assert other.pk
        assert "break-after: page" in response.content.decode()

    def test_this_year_when_none_is_asked_for(self, decided, office, clock):
        clock.set(shanghai(2026, 2, 1, 9, 0))
        AppraisalFactory(cadre=CadreFactory(name="林晓梅"), year=2026)

        sheets = page(logged_in(office).get("/admin/appraisals/sheets/")).select("article.sheet")

        assert [field(sheet, "cadre") for sheet in sheets] == ["林晓梅"]

    @pytest.mark.parametrize("year", ["abc", "1900", "99999999999999999999", ""])
    def test_a_bad_year_gets_a_message_and_no_sheet(self, decided, office, year):
        response = logged_in(office).get(
            "/admin/appraisals/sheets/", {"year": year}, headers=ENGLISH
        )

        sheets = page(response)
        assert sheets.select("article.sheet") == []
        assert (
            "Give the year as four digits, from 2000 to 2099."
            in sheets.select_one("[role=alert]").get_text()
        )

    def test_a_year_with_none(self, office):
        sheets = page(logged_in(office).get(year_url(2030), headers=ENGLISH))
        assert "No appraisal for 2030." in sheets.get_text()

    def test_a_fixed_number_of_queries_however_many_cadres(
        self, office, clerk, clock, django_assert_max_num_queries
    ):
        def appraise(count):
            for n in range(count):
                cadre = CadreFactory(name=f"干部{Appraisal.objects.count():03d}")
                year_of_work(cadre, clerk, clock)
                appraisal = AppraisalFactory(cadre=cadre, year=YEAR)
                if n % 2:
                    perform(appraisal, "record_debriefing", office)
                    perform(appraisal, "record_evaluation", office)

        client = logged_in(office)
        appraise(3)
        client.get(year_url(YEAR))  # the process warms up once
        with django_assert_max_num_queries(20) as few:
            assert len(page(client.get(year_url(YEAR))).select("article.sheet")) == 3
        appraise(27)  # ten times as many
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(page(client.get(year_url(YEAR))).select("article.sheet")) == 30
