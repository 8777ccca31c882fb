"""The compliance dashboard (合规情况): its three lists at a known date, its downloads, its
dashboard panel, its bounded queries, and who may see it."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from django.urls import reverse
from django.utils import timezone

from core.transitions import perform
from people.compliance import counts, register_part, under_trained
from people.factories import CadreFactory, TalkFactory, TrainingFactory
from tests.support import assert_max_queries, logged_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("people_compliance")
HOME = "/admin/"


def shanghai(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def train(cadre, start, days):
    end = start + datetime.timedelta(days=int(Decimal(days)) + 1)
    return TrainingFactory(person=cadre, start_date=start, end_date=end, days=Decimal(days))


@pytest.fixture
def cadres(clock, party_office):
    """On 5 December 2026: 甲 has exactly ten days and a talk exactly six months ago; 乙 has
    9.5 days (and ten more last year) and a talk a day too old, with its follow-up open; 丙
    has nothing; 丁 complies, its follow-up done."""
    clock.set(shanghai(2026, 12, 5, 10))
    jia, yi, bing, ding = (CadreFactory(name=name) for name in ("甲", "乙", "丙", "丁"))
    train(jia, datetime.date(2026, 3, 2), "6")
    train(jia, datetime.date(2026, 9, 7), "4")
    train(yi, datetime.date(2026, 4, 6), "9.5")
    train(yi, datetime.date(2025, 4, 6), "10")
    train(ding, datetime.date(2026, 1, 5), "12")
    TalkFactory(cadre=jia, date=datetime.date(2026, 6, 5))
    TalkFactory(cadre=yi, date=datetime.date(2026, 6, 4), follow_up="协调调换晚间值班。")
    done = TalkFactory(cadre=ding, date=datetime.date(2026, 11, 1), follow_up="已落实。")
    perform(done, "complete", party_office)
    return {"甲": jia, "乙": yi, "丙": bing, "丁": ding}


def assert_refused(response):
    """Refused as the admin refuses (``PermissionDenied``): Wagtail answers 403, or sends an
    admin user back to the dashboard with its "no permission" message; nothing is shown."""
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")
    assert not response.get("Content-Disposition")
    assert "丙" not in response.content.decode()


def table(response, part):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    found = html.select_one(f"table[data-compliance={part}]")
    if found is None:
        return []
    return [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in found.select("tbody tr")
    ]


class TestTheRules:
    def test_exactly_ten_days_complies(self, cadres):
        short = {cadre.name: cadre.training_days for cadre in under_trained(2026)}
        assert short == {"丙": Decimal("0"), "乙": Decimal("9.5")}

    def test_last_years_training_counts_for_last_year(self, cadres):
        assert {cadre.name for cadre in under_trained(2025)} == {"甲", "丙", "丁"}

    def test_counts(self, cadres):
        assert counts() == {"under_trained": 2, "overdue_talks": 2, "open_follow_ups": 2}


class TestTheDashboard:
    def test_lists_each_rule(self, cadres, party_office):
        response = logged_in(party_office).get(DASHBOARD, headers={"accept-language": "en"})

        assert response.status_code == 200
        assert table(response, "training") == [["丙", "0"], ["乙", "9.5"]]
        talks = table(response, "talks")
        assert [row[0] for row in talks] == ["丙", "乙"]
        assert talks[0][1] == "never"
        follow_ups = table(response, "follow-ups")
        # Oldest talk first.
        assert [row[0] for row in follow_ups] == ["乙", "甲"]
        assert [follow_ups[0][0], follow_ups[0][3]] == ["乙", "协调调换晚间值班。"]

    def test_supervisors_see_it(self, cadres, supervisor):
        response = logged_in(supervisor).get(DASHBOARD)
        assert response.status_code == 200
        assert [row[0] for row in table(response, "training")] == ["丙", "乙"]

    def test_bounded_queries(self, cadres, party_office):
        client = logged_in(party_office)
        first = assert_max_queries(client, DASHBOARD, budget=20)
        for index in range(10):
            cadre = CadreFactory(name=f"新{index}")
            train(cadre, datetime.date(2026, 2, 2), "1")
            TalkFactory(cadre=cadre, date=datetime.date(2025, 1, 1), follow_up="跟进。")
        more = assert_max_queries(client, DASHBOARD, budget=20)
        assert len(table(more, "training")) == len(table(first, "training")) + 10
        assert len(table(more, "follow-ups")) == len(table(first, "follow-ups")) + 10

    def test_nothing_to_show(self, clock, party_office):
        clock.set(shanghai(2026, 12, 5, 10))
        response = logged_in(party_office).get(DASHBOARD, headers={"accept-language": "en"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Every cadre has the training days of the year." in page
        assert "No follow-up is open." in page

    def test_an_unknown_part_shows_the_page(self, cadres, party_office):
        response = logged_in(party_office).get(DASHBOARD, {"part": "nope", "export": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


class TestTheDownloads:
    def test_csv_of_the_training_list(self, cadres, party_office):
        response = logged_in(party_office).get(
            DASHBOARD, {"part": "training", "export": "csv"}, headers={"accept-language": "en"}
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "compliance-training-2026-12-05.csv" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [["Cadre", "Training days this year"], ["丙", "0"], ["乙", "9.5"]]

    def test_xlsx_of_the_talks(self, cadres, party_office):
        response = logged_in(party_office).get(
            DASHBOARD, {"part": "talks", "export": "xlsx"}, headers={"accept-language": "en"}
        )

        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[0] == ["Cadre", "Last talk"]
        assert rows[1] == ["丙", "never"]
        assert rows[2][0] == "乙"
        assert rows[2][1] in (datetime.date(2026, 6, 4), datetime.datetime(2026, 6, 4))

    def test_typed_text_is_never_a_formula(self, cadres, party_office):
        TalkFactory(cadre=cadres["甲"], follow_up="=HYPERLINK(1)")
        response = logged_in(party_office).get(DASHBOARD, {"part": "follow-ups", "export": "csv"})
        assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")

    def test_refused_to_other_roles(self, cadres, editor):
        response = logged_in(editor).get(DASHBOARD, {"part": "training", "export": "csv"})
        assert_refused(response)


class TestThePanel:
    @pytest.mark.parametrize("who", ["party_office", "supervisor"])
    def test_counts_on_the_dashboard(self, request, cadres, who):
        client = logged_in(request.getfixturevalue(who))
        response = client.get(HOME, headers={"accept-language": "en"})

        html = BeautifulSoup(response.content.decode(), "html.parser")
        panel = html.select_one("section[aria-labelledby=compliance-heading]")
        assert panel is not None
        text = {
            item["data-compliance-panel"]: item.get_text(strip=True)
            for item in panel.select("[data-compliance-panel]")
        }
        assert text["training"].startswith("2 cadres are under")
        assert text["talks"].startswith("2 cadres are due a talk")
        assert text["follow-ups"].startswith("2 follow-ups are still open")
        assert panel.select_one(f"a[href='{DASHBOARD}']") is not None

    @pytest.mark.parametrize("who", ["editor", "moderator", "clerk", "cadre"])
    def test_not_for_other_roles(self, request, cadres, who):
        response = logged_in(request.getfixturevalue(who)).get(HOME)
        assert response.status_code == 200
        assert b"compliance-heading" not in response.content
        assert DASHBOARD.encode() not in response.content


class TestWhoMaySee:
    @pytest.mark.parametrize("who", ["party_office", "supervisor", "superuser"])
    def test_allowed(self, request, who):
        response = logged_in(request.getfixturevalue(who)).get(DASHBOARD)
        assert response.status_code == 200

    @pytest.mark.parametrize("who", ["editor", "moderator", "clerk", "cadre"])
    def test_forbidden(self, request, who):
        response = logged_in(request.getfixturevalue(who)).get(DASHBOARD)
        assert_refused(response)

    def test_representatives_are_sent_to_log_in(self, representative):
        response = logged_in(representative).get(DASHBOARD)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


class TestOtherRegistersLists:
    """Another register adds a list through ``register_part`` (``people`` never imports it):
    shown, downloaded and counted on the panel only for those its ``may_view`` admits."""

    @pytest.fixture
    def extra(self, monkeypatch):
        monkeypatch.setattr("people.compliance._parts", {})
        register_part(
            "extra",
            title="Extra list",
            headings=("Who", "How many"),
            rows=lambda today: [["戊", today.year]],
            count=lambda today: 7,
            may_view=lambda user: user.username == "supervisor",
            summary=lambda number: f"{number} extra things.",
            empty="Nothing extra.",
        )

    def test_shown_and_downloaded_for_who_may_see_it(self, cadres, extra, supervisor):
        client = logged_in(supervisor)
        assert table(client.get(DASHBOARD), "extra") == [["戊", "2026"]]
        response = client.get(DASHBOARD, {"part": "extra", "export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [["Who", "How many"], ["戊", "2026"]]
        html = BeautifulSoup(client.get(HOME).content.decode(), "html.parser")
        assert html.select_one("[data-compliance-panel=extra]").get_text() == "7 extra things."

    def test_not_for_others(self, cadres, extra, party_office):
        client = logged_in(party_office)
        page = client.get(DASHBOARD)
        assert table(page, "extra") == []
        assert "戊" not in page.content.decode()
        response = client.get(DASHBOARD, {"part": "extra", "export": "csv"})
        assert response["Content-Type"].startswith("text/html")
        assert b'data-compliance-panel="extra"' not in client.get(HOME).content
