"""/briefings/ and /hearings/: upcoming first (soonest first), then past (latest first, in
pages); filters by year and category that answer bad input with a message, never a 500;
each meeting's state said plainly; dates in the reader's language."""

import datetime

import pytest
from bs4 import BeautifulSoup

from hearings.factories import BriefingPageFactory, HearingPageFactory
from hearings.models import HearingCategory
from tests.hearings.conftest import CHINESE, ENGLISH, shanghai
from tests.support import ui

NOW = shanghai(2026, 11, 29, 12, 0)


def days(n, hour=19):
    moment = NOW + datetime.timedelta(days=n)
    return moment.replace(hour=hour, minute=0)


def section(response, heading_id):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    found = html.select_one(f"section[aria-labelledby={heading_id}]")
    return [
        li.select_one(".meeting__title").get_text(strip=True) for li in found.select("li.meeting")
    ]


def upcoming(response):
    return section(response, "upcoming-heading")


def past(response):
    return section(response, "past-heading")


def alert(response):
    found = BeautifulSoup(response.content.decode(), "html.parser").select_one("[role=alert]")
    return found.get_text(strip=True) if found else None


def hearing(title, state, starts_at, **fields):
    return HearingPageFactory(title=title, state=state, starts_at=starts_at, **fields)


@pytest.fixture
def listed(hearings, clock):
    clock.set(NOW)
    return {
        "soon": hearing("近期听证", "open", days(3), category=HearingCategory.WELFARE),
        "later": hearing("稍后听证", "announced", days(30), category=HearingCategory.PROPERTY),
        "recent": hearing("上周听证", "closed", days(-5), category=HearingCategory.PROPERTY),
        "old": hearing("上月听证", "decided", days(-38), category=HearingCategory.WELFARE),
        # Half past midnight on New Year's Day in Shanghai: still 2025 in UTC.
        "new-year": hearing(
            "元旦听证",
            "decided",
            shanghai(2026, 1, 1, 0, 30),
            category=HearingCategory.OTHER,
            consultation_opens=shanghai(2025, 11, 1, 9, 0),
            consultation_closes=shanghai(2025, 12, 1, 9, 0),
        ),
        "last-year": hearing(
            "去年听证",
            "decided",
            shanghai(2025, 6, 1, 19, 0),
            category=HearingCategory.PROPERTY,
            consultation_opens=shanghai(2025, 5, 1, 9, 0),
            consultation_closes=shanghai(2025, 5, 20, 9, 0),
        ),
        "draft": hearing("草稿听证", "open", days(4), live=False),
    }


def test_upcoming_soonest_first_then_past_latest_first(listed, client):
    response = client.get("/hearings/")
    assert response.status_code == 200
    assert upcoming(response) == ["近期听证", "稍后听证"]
    assert past(response) == ["上周听证", "上月听证", "元旦听证", "去年听证"]
    assert "草稿听证" not in response.content.decode()


def test_each_hearing_says_its_state_plainly(listed, client):
    html = BeautifulSoup(client.get("/hearings/", **ENGLISH).content.decode(), "html.parser")
    states = {
        li.select_one(".meeting__title").get_text(strip=True): li.select_one(".state").get_text(
            strip=True
        )
        for li in html.select("li.meeting")
    }
    assert states == {
        "近期听证": "consultation open",
        "稍后听证": "announced",
        "上周听证": "consultation closed",
        "上月听证": "decision published",
        "元旦听证": "decision published",
        "去年听证": "decision published",
    }
    html = BeautifulSoup(client.get("/hearings/", **CHINESE).content.decode(), "html.parser")
    labels = {state.get_text(strip=True) for state in html.select("li.meeting .state")}
    expected = {
        ui("zh-hans", message)
        for message in (
            "consultation open",
            "announced",
            "consultation closed",
            "decision published",
        )
    }
    assert labels == expected
    assert "consultation open" not in expected  # translated, not the English words

    # And on each hearing's own page.
    for key, message in (("soon", "consultation open"), ("recent", "consultation closed")):
        page = BeautifulSoup(client.get(listed[key].url, **CHINESE).content, "html.parser")
        assert page.select_one(".hearing-state").get_text(strip=True) == ui("zh-hans", message)


def test_filter_by_year_in_local_time(listed, client):
    assert past(client.get("/hearings/?year=2026")) == ["上周听证", "上月听证", "元旦听证"]
    assert upcoming(client.get("/hearings/?year=2026")) == ["近期听证", "稍后听证"]
    assert past(client.get("/hearings/?year=2025")) == ["去年听证"]
    assert upcoming(client.get("/hearings/?year=2025")) == []


def test_filter_by_category(listed, client):
    response = client.get("/hearings/?category=property")
    assert upcoming(response) == ["稍后听证"]
    assert past(response) == ["上周听证", "去年听证"]
    response = client.get("/hearings/?category=welfare&year=2026")
    assert upcoming(response) == ["近期听证"]
    assert past(response) == ["上月听证"]
    html = BeautifulSoup(response.content.decode(), "html.parser")
    assert html.select_one("#filter-category option[selected]")["value"] == "welfare"
    assert html.select_one("#filter-year option[selected]")["value"] == "2026"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "Choose a year from the list."),
        ("year=1999", "Choose a year from the list."),
        ("year=99999999999999999999999", "Choose a year from the list."),
        ("year=-2026", "Choose a year from the list."),
        ("year=²", "Choose a year from the list."),  # a digit to str.isdigit, not to int()
        (
            "year=2026%00x",
            "Choose a year from the list.",
        ),  # the NUL is dropped; "2026x" is not a year
        ("category=garden", "Choose a category from the list."),
        ("category=%3Cscript%3E", "Choose a category from the list."),
    ],
)
def test_a_bad_filter_gets_a_clear_message_and_no_500(listed, client, query, message):
    response = client.get(f"/hearings/?{query}", **ENGLISH)
    assert response.status_code == 200
    assert alert(response) == message
    # The listing is still there, unfiltered.
    assert upcoming(response) == ["近期听证", "稍后听证"]
    assert "<script>" not in response.content.decode()
    response = client.get(f"/hearings/?{query}", **CHINESE)
    assert alert(response) == ui("zh-hans", message)


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999999", "1e3", "²"])
def test_a_bad_page_number_is_no_500(listed, client, page):
    response = client.get(f"/hearings/?page={page}")
    assert response.status_code == 200
    assert upcoming(response) == ["近期听证", "稍后听证"]


def test_past_meetings_come_in_pages(hearings, client, clock):
    clock.set(NOW)
    for n in range(1, 13):
        hearing(f"过去{n:02d}", "closed", days(-n), category=HearingCategory.PROPERTY)
    hearing("将来", "announced", days(10), category=HearingCategory.PROPERTY)

    first = client.get("/hearings/?category=property")
    assert past(first) == [f"过去{n:02d}" for n in range(1, 11)]
    assert upcoming(first) == ["将来"]
    html = BeautifulSoup(first.content.decode(), "html.parser")
    assert html.select_one("a[rel=next]")["href"] == "?category=property&page=2"

    second = client.get("/hearings/?category=property&page=2")
    assert past(second) == ["过去11", "过去12"]
    # The coming ones stay on top of every page.
    assert upcoming(second) == ["将来"]
    html = BeautifulSoup(second.content.decode(), "html.parser")
    assert html.select_one("a[rel=prev]")["href"] == "?category=property&page=1"
    assert html.select_one("a[rel=next]") is None


def test_dates_in_the_readers_language(listed, client):
    zh = client.get("/hearings/", **CHINESE).content.decode()
    assert "2026年12月2日 19:00" in zh
    en = client.get("/hearings/", **ENGLISH).content.decode()
    assert "Dec. 2, 2026, 7 p.m." in en
    assert "2026年12月2日" not in en
    # The machine-readable time is the same instant, in the site's zone.
    assert 'datetime="2026-12-02T19:00:00+08:00"' in zh


def test_briefings_upcoming_then_past(briefings, client, clock):
    clock.set(NOW)
    BriefingPageFactory(title="下季度通报会", starts_at=days(20, 14))
    BriefingPageFactory(title="下下季度通报会", starts_at=days(110, 14))
    BriefingPageFactory(title="上季度通报会", starts_at=days(-70, 14))
    BriefingPageFactory(title="去年通报会", starts_at=shanghai(2025, 10, 25, 14, 0))
    BriefingPageFactory(title="草稿通报会", starts_at=days(5, 14), live=False)

    response = client.get("/briefings/", **CHINESE)
    assert response.status_code == 200
    assert upcoming(response) == ["下季度通报会", "下下季度通报会"]
    assert past(response) == ["上季度通报会", "去年通报会"]
    assert "草稿通报会" not in response.content.decode()
    assert "2026年12月19日 14:00" in response.content.decode()
    assert "Dec. 19, 2026, 2 p.m." in client.get("/briefings/", **ENGLISH).content.decode()

    assert past(client.get("/briefings/?year=2025")) == ["去年通报会"]
    response = client.get("/briefings/?year=20x6", **ENGLISH)
    assert response.status_code == 200
    assert alert(response) == "Choose a year from the list."
    # Briefings have no category: no category filter is offered.
    html = BeautifulSoup(response.content.decode(), "html.parser")
    assert html.select_one("#filter-category") is None
    assert html.select_one("#filter-year") is not None


def test_both_indexes_offer_the_calendar(briefings, hearings, client):
    for path in ("/briefings/", "/hearings/"):
        html = BeautifulSoup(client.get(path).content.decode(), "html.parser")
        hrefs = [a["href"] for a in html.select("a[href]")]
        assert "/calendar.ics" in hrefs
        assert "webcal://testserver/calendar.ics" in hrefs
