"""/calendar.ics: every published briefing and hearing as an iCalendar event, read back
with the library that wrote it (icalendar)."""

import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from wagtail.models import PageViewRestriction

from hearings.factories import BriefingPageFactory, HearingPageFactory
from hearings.models import BriefingPage, HearingPage
from tests.hearings.conftest import shanghai, utc


def read_calendar(client):
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(client):
    calendar = read_calendar(client)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def meetings(briefings, hearings):
    return {
        "briefing": BriefingPageFactory(
            title="2026年第4季度工作通报会",
            starts_at=shanghai(2026, 12, 19, 14, 0),
            ends_at=shanghai(2026, 12, 19, 16, 0),
            venue="社区党群服务中心二楼会议室",
        ),
        "briefing-past": BriefingPageFactory(
            title="2026年第3季度工作通报会", starts_at=shanghai(2026, 7, 25, 14, 0)
        ),
        "hearing": HearingPageFactory(
            title="中心花园改造听证会",
            state="open",
            # Half past midnight in Shanghai: the day before in UTC.
            starts_at=shanghai(2026, 12, 1, 0, 30),
            ends_at=None,
            venue="幸福里路88号，二楼；会议室\\A",
        ),
        "hearing-decided": HearingPageFactory(title="地面停车收费听证会", state="decided"),
        "briefing-draft": BriefingPageFactory(title="草稿通报会", live=False),
        "hearing-draft": HearingPageFactory(title="草稿听证会", live=False),
    }


def uid(page):
    kind = "briefing" if isinstance(page, BriefingPage) else "hearing"
    return f"{kind}-{page.pk}@localhost"


def test_one_event_per_published_briefing_and_hearing(meetings, client):
    calendar = read_calendar(client)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    found = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert found == {
        uid(meetings[key]) for key in ("briefing", "briefing-past", "hearing", "hearing-decided")
    }
    assert len(calendar.walk("VEVENT")) == 4
    text = client.get("/calendar.ics").content.decode()
    assert "草稿" not in text


def test_each_event_says_when_where_what_and_links_to_the_page(meetings, client):
    found = events(client)

    briefing = found[uid(meetings["briefing"])]
    start = briefing.decoded("DTSTART")
    end = briefing.decoded("DTEND")
    assert start.tzinfo is not None and end.tzinfo is not None
    assert start == shanghai(2026, 12, 19, 14, 0) == utc(2026, 12, 19, 6, 0)
    assert end == shanghai(2026, 12, 19, 16, 0)
    assert str(briefing["SUMMARY"]) == "2026年第4季度工作通报会"
    assert str(briefing["LOCATION"]) == "社区党群服务中心二楼会议室"
    # The page as the reader reached the site (the test client's host), not the Site record's.
    assert str(briefing["URL"]) == f"http://testserver{meetings['briefing'].url}"
    assert str(briefing["URL"]).endswith("/briefings/" + meetings["briefing"].slug + "/")
    assert str(briefing["URL"]).startswith("http")

    hearing = found[uid(meetings["hearing"])]
    assert hearing.decoded("DTSTART") == utc(2026, 11, 30, 16, 30)
    # No end given: the calendar shows two hours.
    assert hearing.decoded("DTEND") == utc(2026, 11, 30, 18, 30)
    assert str(hearing["SUMMARY"]) == "中心花园改造听证会"
    # Commas, semicolons and backslashes survive the round trip.
    assert str(hearing["LOCATION"]) == "幸福里路88号，二楼；会议室\\A"
    assert str(hearing["URL"]) == f"http://testserver{meetings['hearing'].url}"

    for event in found.values():
        assert event.decoded("DTSTAMP").tzinfo is not None


def test_the_uid_stays_the_same_across_an_edit_and_a_republish(meetings, client):
    page = HearingPage.objects.get(pk=meetings["hearing"].pk)
    before = events(client)
    assert uid(page) in before

    page.title = "中心花园改造听证会（改期）"
    page.slug = "garden-rescheduled"
    page.starts_at = shanghai(2026, 12, 8, 19, 0)
    page.ends_at = shanghai(2026, 12, 8, 21, 30)
    page.save_revision().publish()

    after = events(client)
    assert set(after) == set(before)
    event = after[uid(page)]
    assert str(event["SUMMARY"]) == "中心花园改造听证会（改期）"
    assert event.decoded("DTSTART") == shanghai(2026, 12, 8, 19, 0)
    assert event.decoded("DTEND") == shanghai(2026, 12, 8, 21, 30)
    assert str(event["URL"]).endswith("/hearings/garden-rescheduled/")


def test_a_draft_change_is_not_in_the_calendar_until_published(meetings, client):
    page = BriefingPage.objects.get(pk=meetings["briefing"].pk)
    page.title = "尚未发布的新标题"
    page.starts_at = shanghai(2026, 12, 20, 9, 0)
    page.ends_at = shanghai(2026, 12, 20, 11, 0)
    page.save_revision()
    event = events(client)[uid(page)]
    assert str(event["SUMMARY"]) == "2026年第4季度工作通报会"
    assert event.decoded("DTSTART") == shanghai(2026, 12, 19, 14, 0)


def test_unpublished_and_private_meetings_leave_the_calendar(meetings, client):
    meetings["briefing-past"].unpublish()
    PageViewRestriction.objects.create(
        page=meetings["hearing-decided"],
        restriction_type=PageViewRestriction.PASSWORD,
        password="secret",
    )
    found = events(client)
    assert set(found) == {uid(meetings["briefing"]), uid(meetings["hearing"])}


def test_an_empty_calendar_is_still_a_calendar(db, client):
    calendar = read_calendar(client)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_the_calendar_answers_reads_only(db, client):
    assert client.post("/calendar.ics").status_code == 405
    assert client.head("/calendar.ics").status_code == 200


def test_the_times_do_not_depend_on_the_active_time_zone(meetings, client, settings):
    settings.TIME_ZONE = "UTC"
    event = events(client)[uid(meetings["hearing"])]
    assert event.decoded("DTSTART") == utc(2026, 11, 30, 16, 30)


HOST = {"HTTP_HOST": "community.example"}


def test_the_links_carry_the_host_the_reader_used_not_the_sites_record(meetings, client):
    calendar = Calendar.from_ical(client.get("/calendar.ics", **HOST).content)
    urls = [str(event["URL"]) for event in calendar.walk("VEVENT")]
    assert urls
    assert all(url.startswith("http://community.example/") for url in urls), urls
    assert f"http://community.example{meetings['hearing'].url}" in urls
    # The events' identities do not change with the host.
    assert uid(meetings["hearing"]) in {str(e["UID"]) for e in calendar.walk("VEVENT")}


def test_behind_the_proxy_the_links_are_https(meetings, client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/calendar.ics", HTTP_X_FORWARDED_PROTO="https", **HOST)
    urls = [str(e["URL"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert all(url.startswith("https://community.example/") for url in urls), urls


class TestAddToCalendar:
    @pytest.mark.parametrize("key", ["briefing", "hearing"])
    def test_each_page_links_its_own_event(self, meetings, client, key):
        page = meetings[key]
        html = BeautifulSoup(client.get(page.url).content.decode(), "html.parser")
        link = html.select_one(".add-to-calendar a")
        assert link["href"] == f"/calendar/{page.pk}.ics"
        assert link.has_attr("download")

        response = client.get(link["href"], **HOST)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"].startswith("attachment;")
        (event,) = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(event["SUMMARY"]) == page.title
        assert str(event["UID"]) == uid(page)
        assert event.decoded("DTSTART") == page.starts_at
        assert str(event["URL"]) == f"http://community.example{page.url}"

    def test_the_same_event_as_in_the_whole_calendar(self, meetings, client):
        page = meetings["hearing"]
        (single,) = Calendar.from_ical(client.get(f"/calendar/{page.pk}.ics").content).walk(
            "VEVENT"
        )
        whole = events(client)[uid(page)]
        for field in ("UID", "SUMMARY", "LOCATION", "URL"):
            assert str(single[field]) == str(whole[field])
        assert single.decoded("DTEND") == whole.decoded("DTEND")

    @pytest.mark.parametrize("key", ["briefing-draft", "hearing-draft"])
    def test_a_draft_has_no_event(self, meetings, client, key):
        assert client.get(f"/calendar/{meetings[key].pk}.ics").status_code == 404

    def test_a_private_meeting_has_no_event(self, meetings, client):
        page = meetings["briefing"]
        PageViewRestriction.objects.create(page=page, restriction_type="login")
        assert client.get(f"/calendar/{page.pk}.ics").status_code == 404

    def test_another_page_or_no_page_has_no_event(self, meetings, client, home_page):
        assert client.get(f"/calendar/{home_page.pk}.ics").status_code == 404
        assert client.get("/calendar/999999.ics").status_code == 404
