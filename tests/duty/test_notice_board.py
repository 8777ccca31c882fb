"""The record book for the notice board (issue 12): one month's requests on a printable page
of its own, with the community's name and nothing personal; for those who may read the
record book only."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.urls import reverse
from django.utils import timezone

from core import roles
from core.models import CommunitySettings
from duty.models import DutyRecordState
from tests.support import logged_in, ui

from .conftest import assert_refused_in_admin

URL = reverse("duty_record_book_print")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


@pytest.fixture
def month(make_record, site):
    settings = CommunitySettings.for_site(site)
    settings.community_name = "幸福里社区"
    settings.save()
    now = timezone.localtime()
    last_month = (now.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    records = [
        make_record(
            DutyRecordState.RESOLVED, resident_name="张秀英", resident_contact="13612345678"
        ),
        make_record(DutyRecordState.RECEIVED, resident_name="李国强", request="三号楼漏水"),
        make_record(received_at=last_month, resident_name="王上月"),
    ]
    return records


def test_the_month_without_personal_data(month, cadre):
    page = page_of(logged_in(cadre).get(URL, **ENGLISH))
    assert page.select_one(".site-header__name").get_text(strip=True).startswith("幸福里社区")
    rows = page.select("table.results-table tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == [r.reference for r in month[:2]]
    text = page.get_text()
    for record in month[:2]:
        for personal in (record.resident_name, record.resident_contact, record.place):
            assert personal not in text
        assert record.request not in text
    assert "王上月" not in text and month[2].reference not in text
    # The states counted at the top; nothing to click on paper (the tools are screen-only).
    assert f"{ui('en', 'resolved').capitalize()}: 1" in page.select_one(".lead").get_text()
    assert page.select_one(".no-print form[method=get]") is not None


def test_another_month_and_a_bad_month(month, cadre):
    received = timezone.localtime(month[2].received_at)
    client = logged_in(cadre)
    page = page_of(client.get(f"{URL}?month={received:%Y-%m}"))
    assert [row.th.get_text(strip=True) for row in page.select("tbody tr")] == [month[2].reference]
    # Whatever is typed, a page: this month's.
    for typed in ("2026-13", "abc", "0-0", "99999999999999999999-1", "-"):
        page = page_of(client.get(URL, {"month": typed}))
        assert len(page.select("tbody tr")) == 2


@pytest.mark.parametrize("group", [roles.DUTY_CADRES, roles.SUPERVISORS])
def test_for_those_who_read_the_record_book(group, month, make_user):
    assert logged_in(make_user(group)).get(URL).status_code == 200


@pytest.mark.parametrize("group", [roles.EDITORS, roles.MEETING_CLERKS, roles.MODERATORS])
def test_refused_to_others(group, month, make_user):
    user = make_user(group)
    assert_refused_in_admin(logged_in(user).get(URL))
    assert URL not in logged_in(user).get("/admin/").content.decode()


def test_reached_from_the_admin_menu(month, cadre):
    assert URL in logged_in(cadre).get("/admin/").content.decode()
