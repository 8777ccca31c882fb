"""The front page shows the consultations open now and the meetings to come, never past ones."""

import datetime

import pytest
from bs4 import BeautifulSoup

from hearings.factories import BriefingPageFactory, HearingPageFactory
from tests.hearings.conftest import CHINESE, ENGLISH, shanghai

NOW = shanghai(2026, 11, 29, 12, 0)


def days(n, hour=19):
    return (NOW + datetime.timedelta(days=n)).replace(hour=hour, minute=0)


def titles(response, key):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    section = html.select_one(f"section.section--{key}")
    return [a.get_text(strip=True) for a in section.select("li a")]


def section_text(response, key):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return html.select_one(f"section.section--{key}").get_text(" ", strip=True)


@pytest.fixture
def content(briefings, hearings, clock):
    clock.set(NOW)
    return {
        "open": HearingPageFactory(
            title="中心花园改造听证会",
            consultation_opens=days(-3, 9),
            consultation_closes=shanghai(2026, 12, 9, 18, 0),
            starts_at=days(12),
        ),
        "announced": HearingPageFactory(
            title="加装电梯听证会",
            consultation_opens=days(5, 9),
            consultation_closes=days(25, 18),
            starts_at=days(27),
        ),
        # Consultation closed, the hearing itself still to come.
        "closed-coming": HearingPageFactory(
            title="物业费听证会",
            consultation_opens=days(-20, 9),
            consultation_closes=days(-1, 18),
            starts_at=days(2),
        ),
        "past": HearingPageFactory(title="停车收费听证会", state="decided"),
        "draft": HearingPageFactory(
            title="草稿听证会", state="open", starts_at=days(5), live=False
        ),
        "briefing": BriefingPageFactory(title="第四季度通报会", starts_at=days(20, 14)),
        "briefing-past": BriefingPageFactory(title="第三季度通报会", starts_at=days(-60, 14)),
    }


def test_the_front_page_shows_open_consultations(content, client):
    response = client.get("/", **CHINESE)
    assert response.status_code == 200
    assert titles(response, "consultations") == ["中心花园改造听证会"]
    assert "2026年12月9日 18:00" in section_text(response, "consultations")
    html = BeautifulSoup(response.content.decode(), "html.parser")
    link = html.select_one("section.section--consultations li a")
    assert link["href"] == content["open"].url

    english = client.get("/", **ENGLISH)
    assert "until Dec. 9, 2026, 6 p.m." in section_text(english, "consultations")


def test_the_front_page_shows_upcoming_meetings_soonest_first(content, client):
    response = client.get("/")
    assert titles(response, "meetings") == [
        "物业费听证会",
        "中心花园改造听证会",
        "第四季度通报会",
        "加装电梯听证会",
    ]
    shown = response.content.decode()
    for absent in ("停车收费听证会", "第三季度通报会", "草稿听证会"):
        assert absent not in shown


def test_consultations_come_and_go_with_the_clock(content, client, clock):
    clock.set(days(5, 9) - datetime.timedelta(minutes=1))  # the announced one is not open yet
    assert titles(client.get("/"), "consultations") == ["中心花园改造听证会"]

    clock.set(days(5, 9))  # now it is
    assert titles(client.get("/"), "consultations") == ["中心花园改造听证会", "加装电梯听证会"]

    clock.set(shanghai(2026, 12, 9, 18, 0))  # the first one has just closed
    assert titles(client.get("/"), "consultations") == ["加装电梯听证会"]

    clock.set(days(25, 18))  # and the second
    response = client.get("/", **ENGLISH)
    assert titles(response, "consultations") == []
    assert "No consultation is open at the moment." in section_text(response, "consultations")

    clock.set(days(30))  # every meeting is past
    response = client.get("/", **ENGLISH)
    assert titles(response, "meetings") == []
    assert "No meeting is scheduled yet." in section_text(response, "meetings")
