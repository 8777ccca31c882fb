"""What waits for the cadres on duty: a dashboard panel (Duty cadres only) counting new and
overdue requests, each linking to the record book filtered to them; and the record book's
"overdue" filter, which lists exactly the open requests past their due time."""

import datetime

import pytest
from bs4 import BeautifulSoup

from core import roles
from duty.models import DutyRecordState, RequestCategory
from tests.support import logged_in

from .test_records import RECORD_BOOK, listing_rows

DASHBOARD = "/admin/"


@pytest.fixture
def book(make_record, clock):
    """Records of every kind: new and overdue, new in time, taken on and overdue, taken on
    in time, and closed late (never overdue)."""
    long_ago = clock.moment - datetime.timedelta(hours=5)

    def make(state, category):
        return make_record(state, category=category, received_at=long_ago)

    return {
        "new_overdue": make(DutyRecordState.RECEIVED, RequestCategory.SECURITY),
        "new_in_time": make(DutyRecordState.RECEIVED, RequestCategory.REPAIR),
        "taken_overdue": make(DutyRecordState.IN_PROGRESS, RequestCategory.SECURITY),
        "taken_in_time": make(DutyRecordState.IN_PROGRESS, RequestCategory.REPAIR),
        "resolved_late": make(DutyRecordState.RESOLVED, RequestCategory.SECURITY),
        "referred_late": make(DutyRecordState.REFERRED, RequestCategory.SECURITY),
    }


def panel(response):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return html.select_one("section[aria-labelledby=duty-records-heading]")


def references(response):
    return sorted(reference for reference, _cells in listing_rows(response))


@pytest.mark.django_db
class TestThePanel:
    def test_counts_new_and_overdue_requests_with_links(self, book, cadre):
        response = logged_in(cadre).get(DASHBOARD, headers={"accept-language": "en"})

        found = panel(response)
        assert found is not None
        new = found.select_one("[data-duty-panel=new]")
        overdue = found.select_one("[data-duty-panel=overdue]")
        assert new.get_text(strip=True).startswith("2 new requests")
        assert overdue.get_text(strip=True).startswith("2 open requests are overdue")
        assert new["href"] == f"{RECORD_BOOK}?state=received"
        assert overdue["href"] == f"{RECORD_BOOK}?overdue=true"

        # The links list what the panel counted.
        client = logged_in(cadre)
        assert references(client.get(new["href"])) == sorted(
            [book["new_overdue"].reference, book["new_in_time"].reference]
        )
        assert references(client.get(overdue["href"])) == sorted(
            [book["new_overdue"].reference, book["taken_overdue"].reference]
        )

    def test_says_so_when_nothing_waits(self, cadre):
        found = panel(logged_in(cadre).get(DASHBOARD, headers={"accept-language": "en"}))

        assert found is not None
        assert found.select_one("a") is None
        assert "No new request waits." in found.get_text()
        assert "No request is overdue." in found.get_text()

    def test_an_overdue_count_follows_the_clock(self, make_record, cadre, clock):
        make_record(category=RequestCategory.SECURITY)
        client = logged_in(cadre)
        assert panel(client.get(DASHBOARD)).select_one("a[data-duty-panel=overdue]") is None

        clock.advance(hours=3)

        link = panel(client.get(DASHBOARD)).select_one("a[data-duty-panel=overdue]")
        assert link is not None

    @pytest.mark.parametrize(
        "group", [roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS, roles.SUPERVISORS]
    )
    def test_is_for_duty_cadres_only(self, book, make_user, group):
        response = logged_in(make_user(group)).get(DASHBOARD)

        assert response.status_code == 200
        assert panel(response) is None


@pytest.mark.django_db
class TestTheOverdueFilter:
    def test_lists_exactly_the_overdue_requests(self, book, cadre):
        response = logged_in(cadre).get(RECORD_BOOK, {"overdue": "true"})

        assert response.status_code == 200
        assert references(response) == sorted(
            [book["new_overdue"].reference, book["taken_overdue"].reference]
        )

    def test_not_overdue_lists_the_rest(self, book, cadre):
        response = logged_in(cadre).get(RECORD_BOOK, {"overdue": "false"})

        expected = set(book) - {"new_overdue", "taken_overdue"}
        assert references(response) == sorted(book[name].reference for name in expected)

    def test_combines_with_the_state_filter(self, book, cadre):
        response = logged_in(cadre).get(
            RECORD_BOOK, {"overdue": "true", "state": DutyRecordState.IN_PROGRESS}
        )

        assert references(response) == [book["taken_overdue"].reference]

    def test_is_offered_in_the_listings_filters(self, cadre):
        html = logged_in(cadre).get(RECORD_BOOK).content.decode()

        assert 'name="overdue"' in html
        for name in ("state", "category", "channel", "inspected"):
            assert f'name="{name}"' in html
