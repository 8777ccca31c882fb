"""The public honour roll (光荣榜): the titles awarded and not withdrawn, grouped by year, newest
first, with a year filter; no personal data; bad input gets a clear page."""

from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test.utils import CaptureQueriesContext

from buildings.models import Category, CategoryKind, Title, TitleKind
from core.transitions import perform
from people.factories import PersonFactory
from tests.support import ui

pytestmark = pytest.mark.django_db

ROLL = "/honour-roll/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def award(assessment, kind=TitleKind.PIONEER, category=None):
    title = Title(assessment=assessment, kind=kind, category=category)
    title.full_clean(exclude=["state"])
    title.save()
    return title


@pytest.fixture
def roll(make_assessment, office):
    """2025: 1号楼 pioneer; 2026: 2号楼 demonstration (withdrawn), 3号楼 learning
    characteristic and pioneer. 1号楼's leader and the assessors are people."""
    leader = PersonFactory(name="楼长王大妈", phone="13700001111")
    first = make_assessment("confirmed", year=2025, building__name="1号楼")
    first.building.leader = leader
    first.building.save()
    withdrawn = make_assessment("confirmed", year=2026, building__name="2号楼")
    third = make_assessment("confirmed", year=2026, building__name="3号楼")
    award(first, TitleKind.PIONEER)
    perform(award(withdrawn, TitleKind.DEMONSTRATION), "withdraw", office, reason="复查未通过")
    award(third, TitleKind.CHARACTERISTIC, Category.objects.get(kind=CategoryKind.LEARNING))
    award(third, TitleKind.PIONEER)
    return leader


def sections(page):
    """``{year heading: [(kind heading, [entry text, ...]), ...]}`` as the page shows it."""
    shown = {}
    for section in page.select("main section"):
        kinds = []
        for heading in section.find_all("h3"):
            entries = heading.find_next_sibling("ul").find_all("li")
            kinds.append(
                (heading.get_text(strip=True), [li.get_text(" ", strip=True) for li in entries])
            )
        shown[section.h2.get_text(strip=True)] = kinds
    return shown


class TestTheRoll:
    def test_titles_by_year_newest_first_without_withdrawn_ones(self, client, roll):
        response = client.get(ROLL, **ENGLISH)

        assert response.status_code == 200
        shown = sections(soup(response))
        assert list(shown) == ["Titles of 2026", "Titles of 2025"]
        assert shown["Titles of 2026"] == [
            ("Pioneer building", ["3号楼 · pioneer building"]),
            ("Characteristic building", ["3号楼 · learning characteristic building"]),
        ]
        assert shown["Titles of 2025"] == [("Pioneer building", ["1号楼 · pioneer building"])]
        assert "2号楼" not in response.content.decode()

    def test_no_personal_data(self, client, roll, standards):
        html = client.get(ROLL).content.decode()

        for private in ("楼长王大妈", "13700001111", "张书记", "复查未通过", "记录"):
            assert private not in html

    def test_in_english_and_in_chinese(self, client, roll):
        english = soup(client.get(ROLL, **ENGLISH))
        chinese = soup(client.get(ROLL, **CHINESE))

        assert english.h1.get_text(strip=True) == "Honour roll of buildings"
        assert chinese.h1.get_text(strip=True) == ui("zh-hans", "Honour roll of buildings")
        assert chinese.html["lang"] == "zh-hans"
        characteristic = ui("zh-hans", "%(category)s %(title)s") % {
            "category": ui("zh-hans", "building category\x04learning"),
            "title": ui("zh-hans", "characteristic building"),
        }
        assert f"3号楼 · {characteristic}" in chinese.get_text(" ", strip=True)

    def test_nothing_awarded_says_so(self, client):
        response = client.get(ROLL, **ENGLISH)

        assert response.status_code == 200
        assert "No title has been awarded yet." in response.content.decode()


class TestTheYearFilter:
    def test_one_year(self, client, roll):
        page = soup(client.get(f"{ROLL}?year=2025", **ENGLISH))

        assert list(sections(page)) == ["Titles of 2025"]
        assert page.select_one("#filter-year option[selected]")["value"] == "2025"
        # The years offered are those with titles (the withdrawn one's year has others).
        assert [o["value"] for o in page.select("#filter-year option")] == ["", "2026", "2025"]

    def test_a_year_without_titles(self, client, roll):
        response = client.get(f"{ROLL}?year=2019", **ENGLISH)

        assert response.status_code == 200
        assert "No title was awarded in 2019." in response.content.decode()

    @pytest.mark.parametrize("year", ["xyz", "²⁰²⁵", "1999", "99999999999999999999", "2025'", "-1"])
    def test_a_year_that_is_not_one_says_so_and_shows_every_year(self, client, roll, year):
        response = client.get(ROLL, {"year": year}, **ENGLISH)

        assert response.status_code == 200
        page = soup(response)
        assert page.select_one("main .error").get_text(strip=True) == (
            "Choose a year from the list."
        )
        assert list(sections(page)) == ["Titles of 2026", "Titles of 2025"]


@pytest.mark.usefixtures("site_settings")
class TestTheYearsOffered:
    """The filter's years are read from every title awarded: kept until a title, a building
    or a category is saved (what purges the page)."""

    @staticmethod
    def years(response):
        return [o["value"] for o in soup(response).select("#filter-year option")][1:]

    def test_read_once(self, client, roll):
        first = self.years(client.get(ROLL))
        with CaptureQueriesContext(connection) as again:
            assert self.years(client.get(ROLL)) == first == ["2026", "2025"]
        assert not [q for q in again.captured_queries if "DISTINCT" in q["sql"]]

    def test_a_title_awarded_in_another_year_is_offered_at_once(
        self, client, roll, make_assessment
    ):
        assert self.years(client.get(ROLL)) == ["2026", "2025"]
        award(make_assessment("confirmed", year=2024, building__name="4号楼"))
        assert self.years(client.get(ROLL)) == ["2026", "2025", "2024"]

    def test_a_year_whose_titles_are_withdrawn_is_no_longer_offered(self, client, roll, office):
        assert self.years(client.get(ROLL)) == ["2026", "2025"]
        (title,) = Title.objects.awarded().filter(year=2025)
        perform(title, "withdraw", office, reason="复查未通过")
        assert self.years(client.get(ROLL)) == ["2026"]


class TestWhereResidentsFindIt:
    def test_the_main_menu_links_to_it(self, client, home_page):
        nav = soup(client.get("/", **ENGLISH)).select_one("header nav")

        assert nav.find("a", href=ROLL).get_text(strip=True) == "Honour roll"

    def test_in_the_sitemap_once_a_title_is_awarded(self, client, home_page, roll):
        response = client.get("/sitemap.xml", HTTP_HOST="community.example")

        namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        locations = [
            loc.text for loc in ElementTree.fromstring(response.content).iter(f"{namespace}loc")
        ]
        assert "http://community.example/honour-roll/" in locations

    def test_not_in_the_sitemap_before(self, client, home_page):
        assert b"/honour-roll/" not in client.get("/sitemap.xml").content

    def test_only_get_and_head(self, client):
        assert client.post(ROLL).status_code == 405


def flattened(page):
    """(year heading, kind heading, entry) of each title, in the order the page shows them."""
    return [
        (year, kind, entry)
        for year, kinds in sections(page).items()
        for kind, entries in kinds
        for entry in entries
    ]


class TestPaging:
    def test_the_roll_comes_a_page_at_a_time_in_the_order_of_the_whole(
        self, client, make_assessment, monkeypatch
    ):
        """A page holds ``PER_PAGE`` titles; the pages, one after the other, show the roll
        as one page would: newest year first, the pioneers before the other kinds."""
        from buildings import views

        for number, (year, kind) in enumerate(
            [(2025, TitleKind.DEMONSTRATION), (2026, TitleKind.DEMONSTRATION)]
            + [(2026, TitleKind.PIONEER), (2025, TitleKind.PIONEER), (2026, TitleKind.PIONEER)]
        ):
            award(make_assessment("confirmed", year=year, building__name=f"{number}号楼"), kind)
        monkeypatch.setattr(views, "PER_PAGE", 100)
        whole = flattened(soup(client.get(ROLL, **ENGLISH)))
        monkeypatch.setattr(views, "PER_PAGE", 2)

        pages = [soup(client.get(ROLL, {"page": n}, **ENGLISH)) for n in (1, 2, 3)]
        assert [entry for page in pages for entry in flattened(page)] == whole
        assert len(whole) == 5
        assert pages[0].select_one('.pagination a[rel="next"]')["href"] == "?page=2"
        assert pages[2].select_one('.pagination a[rel="next"]') is None

    def test_the_year_filter_is_kept_from_page_to_page(self, client, roll, monkeypatch):
        from buildings import views

        monkeypatch.setattr(views, "PER_PAGE", 1)
        page = soup(client.get(ROLL, {"year": 2026}, **ENGLISH))
        assert page.select_one('.pagination a[rel="next"]')["href"] == "?year=2026&page=2"
        second = client.get(ROLL, {"year": 2026, "page": 2}, **ENGLISH)
        assert list(sections(soup(second))) == ["Titles of 2026"]

    def test_past_the_end_says_so(self, client, roll):
        response = client.get(ROLL, {"page": 50}, **ENGLISH)
        assert response.status_code == 200
        assert ui("en", "There are no more titles.") in response.content.decode()
