"""Opinions are taken only while they can still change something: on a hearing while its
consultation is open, on a briefing until BRIEFING_FEEDBACK_DAYS after it starts. Outside
that time the form is not shown and a posted opinion is refused (409) with a clear message."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.conf import settings

from core.transitions import perform
from hearings.factories import BriefingPageFactory, HearingPageFactory
from opinions.models import Opinion, OpinionState
from tests.hearings.conftest import CHINESE, ENGLISH, shanghai, utc
from tests.support import ui

OPENS = shanghai(2026, 11, 20, 9, 0)
CLOSES = shanghai(2026, 12, 1, 0, 30)
RECEIVED = "Thank you. Your opinion has been received and awaits moderation. Keep its reference: with it you can come back to this page and see what became of your opinion."


def opinion_data(**fields):
    return {
        "author_name": "5号楼居民",
        "contact": "13812345678",
        "body": "建议施工时间避开午休。",
        "website": "",
        **fields,
    }


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def has_form(response):
    return soup(response).select_one("#opinions form.opinion-form") is not None


def alert(response):
    found = soup(response).select_one("#opinions [role=alert]")
    return found.get_text(strip=True) if found else None


def notice(response):
    found = soup(response).select_one("#opinions p.notice")
    return found.get_text(strip=True) if found else None


@pytest.fixture
def hearing(hearings):
    return HearingPageFactory(
        consultation_opens=OPENS,
        consultation_closes=CLOSES,
        starts_at=shanghai(2026, 12, 3, 19, 0),
    )


def test_before_the_consultation_opens_the_form_is_not_shown_and_opinions_are_refused(
    hearing, client, clock
):
    clock.set(shanghai(2026, 11, 19, 12, 0))
    opens_message = ui(
        "zh-hans",
        "The consultation opens on %(date)s; opinions are taken from then.",
        date="2026年11月20日 09:00",
    )

    response = client.get(hearing.url, **CHINESE)
    assert response.status_code == 200
    assert not has_form(response)
    assert notice(response) == opens_message

    response = client.post(hearing.url, opinion_data(), **CHINESE)
    assert response.status_code == 409
    assert alert(response) == opens_message
    assert not has_form(response)
    assert not Opinion.objects.filter(page=hearing).exists()


def test_while_the_consultation_is_open_an_opinion_is_taken_for_moderation(hearing, client, clock):
    clock.set(shanghai(2026, 11, 25, 20, 0))
    response = client.get(hearing.url, **CHINESE)
    assert has_form(response)
    assert notice(response) is None

    response = client.post(hearing.url, opinion_data(), **CHINESE)
    assert response.status_code == 302
    opinion = Opinion.objects.get(page=hearing)
    assert response["Location"] == f"/opinions/{opinion.reference}/?sent=1"
    assert opinion.state == OpinionState.PENDING
    assert opinion.body == "建议施工时间避开午休。"

    response = client.get(response["Location"], **ENGLISH)
    assert soup(response).select_one("[role=status]").get_text(strip=True) == RECEIVED
    response = client.get(hearing.url, **ENGLISH)
    # Pending: not shown to residents until a moderator approves it.
    assert "建议施工时间避开午休" not in response.content.decode()


def test_after_the_consultation_closes_a_posted_opinion_is_refused_with_the_message(
    hearing, client, clock
):
    # The resident opened the form while it was open...
    clock.set(shanghai(2026, 12, 1, 0, 29))
    assert has_form(client.get(hearing.url, **CHINESE))
    # ...and sends it two minutes later, after the close.
    clock.set(shanghai(2026, 12, 1, 0, 31))
    response = client.post(hearing.url, opinion_data(), **CHINESE)
    assert response.status_code == 409
    closed = ui(
        "zh-hans",
        "The consultation closed on %(date)s; opinions are no longer taken.",
        date="2026年12月1日 00:30",
    )
    assert alert(response) == closed
    assert not has_form(response)
    assert not Opinion.objects.filter(page=hearing).exists()

    response = client.get(hearing.url, **ENGLISH)
    assert not has_form(response)
    assert notice(response) == (
        "The consultation closed on Dec. 1, 2026, 12:30 a.m.; opinions are no longer taken."
    )
    # Nothing in the answer says the opinion was taken.
    assert RECEIVED not in response.content.decode()


def test_the_exact_closing_instant_is_closed_and_a_moment_before_is_open(hearing, client, clock):
    clock.set(CLOSES - datetime.timedelta(seconds=1))
    assert client.post(hearing.url, opinion_data(body="最后一秒的意见")).status_code == 302
    clock.set(CLOSES)
    assert client.post(hearing.url, opinion_data(body="迟到的意见")).status_code == 409
    assert list(Opinion.objects.filter(page=hearing).values_list("body", flat=True)) == [
        "最后一秒的意见"
    ]
    # At the opening instant the consultation takes opinions.
    clock.set(OPENS - datetime.timedelta(seconds=1))
    assert client.post(hearing.url, opinion_data(body="太早的意见")).status_code == 409
    clock.set(OPENS)
    assert client.post(hearing.url, opinion_data(body="刚开始的意见")).status_code == 302


def test_a_decided_hearing_takes_no_opinions(hearings, client, moderator):
    page = HearingPageFactory(state="decided", decided_by=moderator)
    response = client.get(page.url)
    assert not has_form(response)
    response = client.post(page.url, opinion_data())
    assert response.status_code == 409
    assert not Opinion.objects.filter(page=page).exists()


def test_a_refusal_changes_nothing_even_for_an_invalid_form(hearing, client, clock):
    clock.set(utc(2026, 12, 5))
    response = client.post(hearing.url, {"author_name": "", "body": ""})
    assert response.status_code == 409
    assert not Opinion.objects.exists()


# --- Briefings --------------------------------------------------------------------------

STARTS = shanghai(2026, 10, 26, 14, 0)


@pytest.fixture
def briefing(briefings):
    return BriefingPageFactory(starts_at=STARTS)


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (STARTS - datetime.timedelta(days=20), True),  # before the briefing
        (STARTS + datetime.timedelta(days=1), True),
        (
            STARTS + datetime.timedelta(days=settings.BRIEFING_FEEDBACK_DAYS, seconds=-1),
            True,
        ),
        (STARTS + datetime.timedelta(days=settings.BRIEFING_FEEDBACK_DAYS), False),
        (STARTS + datetime.timedelta(days=settings.BRIEFING_FEEDBACK_DAYS + 60), False),
    ],
    ids=["before", "the-day-after", "last-second", "at-the-limit", "months-later"],
)
def test_a_briefing_takes_feedback_until_the_set_days_after_it_starts(
    briefing, client, clock, moment, accepted
):
    clock.set(moment)
    assert has_form(client.get(briefing.url)) is accepted
    response = client.post(briefing.url, opinion_data(), **ENGLISH)
    assert Opinion.objects.filter(page=briefing).exists() is accepted
    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 409
        assert alert(response) == (
            "Feedback on this briefing has closed. Please give yours on the next one."
        )


def test_approved_opinions_stay_visible_after_the_consultation_closes(
    hearing, client, clock, moderator
):
    clock.set(shanghai(2026, 11, 25, 20, 0))
    client.post(hearing.url, opinion_data(body="希望保留老树。"))
    perform(Opinion.objects.get(page=hearing), "approve", moderator)
    clock.set(shanghai(2026, 12, 10, 12, 0))
    response = client.get(hearing.url)
    assert "希望保留老树。" in soup(response).select_one("#opinions").get_text()
    assert not has_form(response)
