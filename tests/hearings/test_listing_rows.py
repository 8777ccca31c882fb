"""The rows of /briefings/ and /hearings/ are read as values, not pages (``hearings.listing``):
each must still say what the meeting's own page says — its URL, its state, its category and
the moments it changes by itself."""

import datetime

import pytest
from bs4 import BeautifulSoup

from hearings.factories import BriefingPageFactory, HearingPageFactory
from hearings.listing import MeetingRows
from hearings.models import BriefingPage, HearingCategory, HearingPage
from tests.hearings.conftest import CHINESE, ENGLISH, shanghai
from tests.support import ui

NOW = shanghai(2026, 11, 29, 12, 0)


def days(n):
    return NOW + datetime.timedelta(days=n)


def listed_links(response):
    """Each listed meeting's title and link, in the order shown."""
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return [(link.get_text(strip=True), link["href"]) for link in html.select("li.meeting h3 a")]


def values_of(page):
    """The values a list reads of ``page``."""
    model = type(page)
    return model.objects.filter(pk=page.pk).values(*model.listing_fields).get()


@pytest.fixture
def many_hearings(hearings, clock):
    """Enough hearings for a second page of past ones, in two categories, one of them with a
    Chinese slug."""
    clock.set(NOW)
    made = [
        HearingPageFactory(
            title=f"过去{n:02d}",
            state="closed",
            starts_at=days(-n),
            category=HearingCategory.PROPERTY if n % 2 else HearingCategory.WELFARE,
        )
        for n in range(1, 14)
    ]
    made.append(
        HearingPageFactory(title="花园听证", slug="花园听证", state="open", starts_at=days(3))
    )
    made.append(HearingPageFactory(title="将来", state="announced", starts_at=days(30)))
    return made


@pytest.mark.parametrize(
    "query",
    ["", "?page=2", "?category=property", "?category=welfare&page=2", "?year=2026&page=2"],
)
def test_each_link_is_the_meetings_own_url(many_hearings, client, query):
    links = listed_links(client.get(f"/hearings/{query}"))
    assert links
    for title, href in links:
        assert href == HearingPage.objects.get(title=title).get_url()


def test_a_chinese_slug_is_linked_as_wagtail_links_it(many_hearings, client):
    page = HearingPage.objects.get(title="花园听证")
    assert page.get_url() == "/hearings/%E8%8A%B1%E5%9B%AD%E5%90%AC%E8%AF%81/"
    assert ("花园听证", page.get_url()) in listed_links(client.get("/hearings/"))


def test_briefing_links(briefings, client, clock):
    clock.set(NOW)
    for n in range(1, 13):
        BriefingPageFactory(title=f"通报会{n:02d}", starts_at=days(-10 * n))
    for query in ("", "?page=2", "?year=2026"):
        for title, href in listed_links(client.get(f"/briefings/{query}")):
            assert href == BriefingPage.objects.get(title=title).get_url()


@pytest.mark.parametrize("state", ["announced", "open", "closed", "decided"])
def test_the_list_says_the_state_the_hearing_page_says(hearings, state):
    page = HearingPageFactory(state=state)
    values = values_of(page)
    second = datetime.timedelta(seconds=1)
    for now in (
        page.consultation_opens - second,
        page.consultation_opens,
        page.consultation_closes - second,
        page.consultation_closes,
        page.starts_at,
    ):
        assert HearingPage.listing_state(values, now) == page.state_at(now)


@pytest.mark.parametrize("category", HearingCategory.values)
def test_the_list_says_the_category_the_hearing_page_says(hearings, category):
    page = HearingPageFactory(category=category)
    assert HearingPage.listing_category(values_of(page)).label == page.get_category_display()


def test_a_category_no_longer_offered_shows_as_stored(many_hearings, client):
    # Written before a category was retired (or behind the site): listed, never an error.
    HearingPage.objects.filter(title="花园听证").update(category="retired-kind")
    response = client.get("/hearings/", **ENGLISH)
    assert response.status_code == 200
    html = BeautifulSoup(response.content, "html.parser")
    (row,) = [li for li in html.select("li.meeting") if "花园听证" in li.get_text()]
    assert row.select_one(".state").parent.get_text(strip=True).endswith("· retired-kind")


def test_briefings_have_no_state_nor_category(briefings):
    values = values_of(BriefingPageFactory())
    assert BriefingPage.listing_state(values, NOW) is None
    assert BriefingPage.listing_category(values) is None


def test_each_row_changes_when_its_meeting_does(many_hearings):
    index = many_hearings[0].get_parent().specific
    rows = MeetingRows(index, index.published_meetings(), None, NOW)
    upcoming = rows.upcoming("1")
    pages = {page.title: page for page in many_hearings}
    assert [row.title for row in upcoming] == ["花园听证", "将来"]
    for row in [*upcoming, *rows.past("1"), *rows.past("2")]:
        assert list(row.changes) == pages[row.title].changes()


def test_past_the_first_page_the_soonest_meeting_still_counts(many_hearings):
    index = many_hearings[0].get_parent().specific
    index.per_page = 1
    rows = MeetingRows(index, index.published_meetings(), None, NOW)
    second = rows.upcoming("2")
    (later,) = second
    assert later.title == "将来"
    soonest = HearingPage.objects.get(title="花园听证")
    assert rows.changes(second) == [*later.changes, *soonest.changes()]


def test_states_and_categories_in_the_readers_language(many_hearings, client):
    for language, headers in (("zh-hans", CHINESE), ("en", ENGLISH)):
        html = BeautifulSoup(client.get("/hearings/", **headers).content, "html.parser")
        row = html.select_one("li.meeting")
        assert row.select_one(".meeting__title").get_text(strip=True) == "花园听证"
        assert row.select_one(".state").get_text(strip=True) == ui(language, "consultation open")
        assert (
            row.select_one(".state")
            .parent.get_text(strip=True)
            .endswith("· " + ui(language, "public-welfare project"))
        )
