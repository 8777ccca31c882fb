""" "You said, we did": a briefing answers the feedback of the previous briefing, item by item,
and keeps listing older items until they are answered."""

import datetime

import pytest
from bs4 import BeautifulSoup

from hearings.factories import BriefingPageFactory
from hearings.models import BriefingPage
from tests.hearings.conftest import ENGLISH, shanghai


def quarter(year, q):
    """The 25th day of a quarter, 14:00 in Shanghai."""
    return shanghai(year, (q - 1) * 3 + 1, 25, 14, 0)


@pytest.fixture
def series(briefings):
    """Five briefings in a row, each with feedback raised at it."""
    oldest = BriefingPageFactory(
        title="2025年第4季度工作通报会",
        starts_at=quarter(2025, 4),
        feedback=[("A1 电梯维修", "A1 已更换主板"), ("O1 楼道堆物", "")],
    )
    older = BriefingPageFactory(
        title="2026年第1季度工作通报会",
        starts_at=quarter(2026, 1),
        feedback=[("A2 投放时间太短", "A2 已延长到21:00"), ("O2 增设充电桩", "")],
    )
    previous = BriefingPageFactory(
        title="2026年第2季度工作通报会",
        starts_at=quarter(2026, 2),
        feedback=[("A3 保留老树", "A3 方案保留全部老树"), ("O3 无障碍坡道", "")],
    )
    current = BriefingPageFactory(
        title="2026年第3季度工作通报会",
        starts_at=quarter(2026, 3),
        feedback=[("X4 本次提出的意见", "")],
    )
    later = BriefingPageFactory(
        title="2026年第4季度工作通报会",
        starts_at=quarter(2026, 4),
        feedback=[("X5 下次提出的意见", "")],
    )
    return oldest, older, previous, current, later


def items(response):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return html.select("#ysws-heading ~ ul.ysws > li")


def said(item):
    return item.select("p")[1].get_text(" ", strip=True)


def test_the_next_briefing_lists_the_previous_ones_feedback_and_older_open_items(series, client):
    current = series[3]
    found = items(client.get(current.url, **ENGLISH))
    texts = [said(item) for item in found]
    assert [t.split(": ", 1)[1] for t in texts] == [
        "A3 保留老树",  # the previous briefing's items, answered or not, in their order
        "O3 无障碍坡道",
        "O2 增设充电桩",  # older items still open, newest briefing first
        "O1 楼道堆物",
    ]
    page_text = " ".join(item.get_text(" ", strip=True) for item in found)
    for left_out in ("A2", "A1", "X4", "X5"):
        assert left_out not in page_text

    answered, still_open = found[0], found[1]
    assert "A3 方案保留全部老树" in answered.get_text()
    assert "ysws__item--open" not in answered["class"]
    assert "Raised at 2026年第2季度工作通报会" in answered.get_text()
    assert "ysws__item--open" in still_open["class"]
    assert "Open: not yet answered" in still_open.get_text()
    assert "Open: not yet answered" in found[3].get_text()
    assert "Raised at 2025年第4季度工作通报会" in found[3].get_text()


def test_the_queryset_behind_it(series):
    oldest, older, previous, current, later = series
    listed = list(BriefingPage.objects.get(pk=current.pk).you_said_we_did())
    assert [(item.page_id, item.summary) for item in listed] == [
        (previous.pk, "A3 保留老树"),
        (previous.pk, "O3 无障碍坡道"),
        (older.pk, "O2 增设充电桩"),
        (oldest.pk, "O1 楼道堆物"),
    ]
    assert [item.is_open for item in listed] == [False, True, True, True]
    # The latest briefing answers the one before it (the current one) and what is open.
    listed = list(BriefingPage.objects.get(pk=later.pk).you_said_we_did())
    assert [item.summary for item in listed] == [
        "X4 本次提出的意见",
        "O3 无障碍坡道",
        "O2 增设充电桩",
        "O1 楼道堆物",
    ]


def test_an_item_answered_later_leaves_the_list(series, client):
    oldest, _older, _previous, current, _later = series
    page = BriefingPage.objects.get(pk=oldest.pk)
    # As the admin's inline panel does: the page's items, one of them now answered.
    feedback = list(page.feedback_items.all())
    for item in feedback:
        if item.summary == "O1 楼道堆物":
            item.answer = "已组织清理，并在每栋楼张贴告示。"
            item.answered_on = datetime.date(2026, 8, 1)
    page.feedback_items = feedback
    page.save_revision().publish()

    texts = [said(item) for item in items(client.get(current.url, **ENGLISH))]
    assert not any("O1" in text for text in texts)
    assert len(texts) == 3


def test_the_first_briefing_has_nothing_to_report(series, client):
    response = client.get(series[0].url, **ENGLISH)
    assert items(response) == []
    assert "No feedback from earlier briefings to report on." in response.content.decode()


def test_a_draft_briefing_is_not_the_previous_one(series, client):
    BriefingPageFactory(
        title="未发布的通报会",
        starts_at=quarter(2026, 2) + datetime.timedelta(days=30),
        feedback=[("D 草稿里的意见", "D 草稿里的答复")],
        live=False,
    )
    texts = " ".join(said(item) for item in items(client.get(series[3].url, **ENGLISH)))
    assert "D 草稿" not in texts
    assert "A3 保留老树" in texts


def test_the_answer_shows_its_date_in_the_readers_language(briefings, client):
    first = BriefingPageFactory(
        starts_at=quarter(2026, 1),
        feedback=[("电梯经常停运", "已更换主板")],
    )
    item = first.feedback_items.get()
    item.answered_on = datetime.date(2026, 3, 5)
    item.save()
    second = BriefingPageFactory(starts_at=quarter(2026, 2))
    assert "2026年3月5日" in client.get(second.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "March 5, 2026" in client.get(second.url, **ENGLISH).content.decode()
