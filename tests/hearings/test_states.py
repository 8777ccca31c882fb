"""A hearing's state follows its dates: announced → consultation open → consultation closed,
then "decision published" once the named transition has run. Times are entered and shown
in Shanghai and stored in UTC; the state depends on the instant, not on the time zone."""

import pytest

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from core.transitions import perform
from hearings.factories import HearingPageFactory
from hearings.models import HearingPage, HearingState
from tests.hearings.conftest import CHINESE, ENGLISH, shanghai, utc
from tests.support import logged_in, ui

OPENS = shanghai(2026, 11, 20, 9, 0)
# 2026-12-01 00:30 in Shanghai is 2026-11-30 16:30 UTC.
CLOSES = shanghai(2026, 12, 1, 0, 30)
CLOSES_UTC = utc(2026, 11, 30, 16, 30)


@pytest.fixture
def hearing(hearings):
    return HearingPageFactory(
        consultation_opens=OPENS,
        consultation_closes=CLOSES,
        starts_at=shanghai(2026, 12, 3, 19, 0),
        ends_at=shanghai(2026, 12, 3, 21, 0),
    )


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (shanghai(2026, 11, 1, 12, 0), HearingState.ANNOUNCED),
        (shanghai(2026, 11, 20, 8, 59, 59), HearingState.ANNOUNCED),
        (OPENS, HearingState.OPEN),  # opens: open from that very instant
        (shanghai(2026, 11, 25, 12, 0), HearingState.OPEN),
        (shanghai(2026, 12, 1, 0, 29, 59), HearingState.OPEN),
        (CLOSES, HearingState.CLOSED),  # closes: closed from that very instant
        (shanghai(2026, 12, 20, 12, 0), HearingState.CLOSED),
    ],
    ids=[
        "weeks-before",
        "a-second-before-opening",
        "at-opening",
        "between",
        "a-second-before-closing",
        "at-closing",
        "weeks-after",
    ],
)
def test_the_state_follows_the_dates(hearing, clock, moment, state):
    assert hearing.state_at(moment) == state
    clock.set(moment)
    page = HearingPage.objects.get(pk=hearing.pk)
    assert page.state == state
    assert page.get_state_display() == state.label
    # The queryset the front page and the calendar rely on agrees with the state.
    in_consultation = HearingPage.objects.in_consultation(moment).filter(pk=hearing.pk).exists()
    assert in_consultation is (state == HearingState.OPEN)


def test_the_decision_is_published_after_the_consultation(hearing, clock, moderator):
    clock.set(shanghai(2026, 12, 2, 10, 0))
    hearing.summary = "<p>共收到意见20条。</p>"
    hearing.decision = "<p>同意实施。</p>"
    hearing.save_revision().publish()
    page = HearingPage.objects.get(pk=hearing.pk)
    assert page.state == HearingState.CLOSED

    perform(page, "publish_decision", moderator)

    page = HearingPage.objects.get(pk=hearing.pk)
    assert page.state == HearingState.DECIDED
    assert page.decision_published_at == shanghai(2026, 12, 2, 10, 0)
    assert page.decision_published_by == moderator
    # Decided is final: whatever the clock says, the dates no longer decide the state.
    for moment in (OPENS, CLOSES, shanghai(2027, 6, 1, 0, 0)):
        assert page.state_at(moment) == HearingState.DECIDED


def test_a_time_entered_in_shanghai_is_stored_in_utc(hearing):
    page = HearingPage.objects.get(pk=hearing.pk)
    assert page.consultation_closes == CLOSES_UTC
    assert page.consultation_closes.utcoffset().total_seconds() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT consultation_closes FROM hearings_hearingpage WHERE page_ptr_id = %s",
            [hearing.pk],
        )
        (stored,) = cursor.fetchone()
    assert str(stored).startswith("2026-11-30 16:30")


def test_closing_at_half_past_midnight_in_shanghai(hearing, clock):
    """The consultation closes at 2026-12-01 00:30 Shanghai, i.e. 2026-11-30 16:30 UTC."""
    page = HearingPage.objects.get(pk=hearing.pk)
    assert page.state_at(utc(2026, 11, 30, 16, 29)) == HearingState.OPEN
    assert page.state_at(utc(2026, 11, 30, 16, 31)) == HearingState.CLOSED
    # Half an hour past midnight on 1 December in Shanghai is still 30 November in UTC:
    # a naive comparison of the local date would get this wrong either way.
    assert page.state_at(utc(2026, 11, 30, 23, 0)) == HearingState.CLOSED
    assert page.state_at(shanghai(2026, 11, 30, 23, 59)) == HearingState.OPEN

    # Whatever time zone is active, the state depends on the instant only.
    for zone in ("UTC", "America/New_York", "Asia/Shanghai"):
        with timezone.override(zone):
            clock.set(utc(2026, 11, 30, 16, 29))
            assert page.state == HearingState.OPEN
            assert page.accepts_opinions()
            clock.set(utc(2026, 11, 30, 16, 31))
            assert page.state == HearingState.CLOSED
            assert not page.accepts_opinions()
            assert not HearingPage.objects.in_consultation().filter(pk=page.pk).exists()


def test_the_page_shows_the_times_in_shanghai(hearing, client, clock):
    clock.set(utc(2026, 11, 30, 16, 29))
    response = client.get(hearing.url, **CHINESE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年12月1日 00:30" in html
    assert "2026年11月20日 09:00" in html
    assert "16:30" not in html
    assert 'datetime="2026-12-01T00:30:00+08:00"' in html
    assert ui("zh-hans", "consultation open") in html

    response = client.get(hearing.url, **ENGLISH)
    html = response.content.decode()
    assert "Dec. 1, 2026, 12:30 a.m." in html
    assert "consultation open" in html


def hearing_form(**fields):
    data = {
        "title": "垃圾房改造听证会",
        "slug": "refuse-room",
        "category": "welfare",
        "matter": "垃圾房拟改造为密闭式，并增设洗手池。",
        "starts_at": "2026-12-03 19:00",
        "ends_at": "2026-12-03 21:00",
        "venue": "社区党群服务中心二楼会议室",
        "consultation_opens": "2026-11-20 09:00",
        "consultation_closes": "2026-12-01 00:30",
        "documents": streamfield([]),
        "summary": rich_text(""),
        "decision": rich_text(""),
        "comments": inline_formset([]),
        **fields,
    }
    return nested_form_data(data)


def test_an_editor_enters_the_times_in_shanghai_time(hearings, editor):
    client = logged_in(editor)
    url = reverse("wagtailadmin_pages:add", args=("hearings", "hearingpage", hearings.pk))
    response = client.post(url, hearing_form())
    assert response.status_code == 302, response.content.decode()[:3000]

    page = HearingPage.objects.get(slug="refuse-room").get_latest_revision_as_object()
    assert page.consultation_closes == CLOSES_UTC
    assert page.consultation_opens == utc(2026, 11, 20, 1, 0)
    assert page.starts_at == utc(2026, 12, 3, 11, 0)
    assert page.state_at(utc(2026, 11, 30, 16, 29)) == HearingState.OPEN
    assert page.state_at(utc(2026, 11, 30, 16, 31)) == HearingState.CLOSED


def test_the_admin_refuses_a_consultation_that_closes_before_it_opens(hearings, editor):
    client = logged_in(editor)
    url = reverse("wagtailadmin_pages:add", args=("hearings", "hearingpage", hearings.pk))
    response = client.post(
        url,
        hearing_form(consultation_opens="2026-12-01 00:30", consultation_closes="2026-11-20 09:00"),
    )
    assert response.status_code == 200
    assert not HearingPage.objects.filter(slug="refuse-room").exists()
    with pytest.raises(ValidationError) as refused:
        HearingPageFactory.build(consultation_opens=CLOSES, consultation_closes=OPENS).clean()
    assert "consultation_closes" in refused.value.message_dict


def test_a_meeting_must_end_after_it_starts(hearings):
    page = HearingPageFactory.build(
        consultation_opens=OPENS,
        consultation_closes=CLOSES,
        starts_at=shanghai(2026, 12, 3, 19, 0),
        ends_at=shanghai(2026, 12, 3, 18, 0),
    )
    with pytest.raises(ValidationError) as refused:
        page.clean()
    assert "ends_at" in refused.value.message_dict
