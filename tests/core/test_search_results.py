"""/search/: each result with a short excerpt of its text around the searched words, Chinese
words found inside Chinese text, and the public votes (open motions, published results)
found beside the pages, through the sources the apps register in core."""

import pytest
from bs4 import BeautifulSoup

from core.search import excerpt, page_text, search_terms
from core.transitions import perform
from home.models import StandardPage
from votes.factories import MotionFactory

pytestmark = pytest.mark.search_index

ENGLISH = {"accept-language": "en"}
INTRO = "今年小区将重新规划地面停车位，优先保障消防通道畅通，并在东门增设访客临时车位。"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def search(client, query):
    response = client.get("/search/", {"q": query}, headers=ENGLISH)
    assert response.status_code == 200
    return soup(response)


@pytest.fixture
def parking(home_page):
    page = StandardPage(title="停车管理办法", slug="parking-rules", introduction=INTRO)
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def motions(clerk):
    def motion(title, description, *steps):
        made = MotionFactory(title=title, description=description)
        for name in steps:
            perform(made, name, clerk)
        return made

    return {
        "open": motion("东门增设充电桩议案", "在东门车棚增设电动车充电桩二十个。", "open"),
        "published": motion(
            "地面停车收费标准", "地面停车位每月收费一百元。", "open", "close", "publish_results"
        ),
        "draft": motion("充电桩草案", "尚未提交的充电桩方案。"),
        "closed": motion("充电桩收费", "充电桩每度电收费标准。", "open", "close"),
    }


class TestExcerpt:
    def test_around_the_first_place_the_word_stands_with_it_marked(self):
        found = excerpt(INTRO, "消防", width=20)
        assert found.match == "消防"
        assert found.before.endswith("优先保障")
        assert found.after.startswith("通道")
        assert found.before.startswith("…") and found.after.endswith("…")

    def test_a_chinese_word_held_apart_is_found_by_its_pairs(self):
        # "停车位" is in the text; "车位管理" is not, but its pair "车位" is.
        assert excerpt(INTRO, "车位管理").match == "车位"

    def test_english_whatever_the_case(self):
        found = excerpt("Please add more Bicycle racks.", "bicycle")
        assert found.match == "Bicycle"
        assert (found.before, found.after) == ("Please add more ", " racks.")

    def test_no_match_gives_the_opening(self):
        found = excerpt(INTRO, "图书馆", width=10)
        assert (found.match, found.after) == ("", INTRO[:10] + "…")
        assert excerpt("", "图书馆") is None

    def test_the_indexed_han_terms_are_left_out(self, parking):
        text = parking.han_search_text() + " " + INTRO
        assert page_text(text) == INTRO


@pytest.mark.django_db
class TestSearchPage:
    def test_a_page_result_shows_the_matching_text_with_the_word_marked(self, client, parking):
        page = search(client, "消防")
        (result,) = page.select("ol.results li")
        assert result.select_one("h2 a")["href"] == parking.url
        shown = result.select_one(".search-excerpt")
        assert "优先保障消防通道畅通" in shown.get_text()
        assert shown.select_one("mark").get_text() == "消防"
        # The indexed pairs never show.
        assert "消防 防通" not in shown.get_text()

    def test_chinese_words_are_still_found_inside_chinese_text(self, client, parking):
        for word in ("停车", "临时车位", "东门"):
            assert [a["href"] for a in search(client, word).select("ol.results h2 a")] == [
                parking.url
            ], word
        assert search_terms("临时车位") == "临时 时车 车位"

    def test_markup_in_the_text_is_shown_as_text(self, client, home_page):
        page = StandardPage(
            title="路灯通知", slug="lamps", introduction="<script>alert(1)</script> 路灯维修"
        )
        home_page.add_child(instance=page)
        page.save_revision().publish()
        html = client.get("/search/", {"q": "路灯"}).content.decode()
        assert "<script>alert(1)</script>" not in html

    def test_public_votes_are_found_with_an_excerpt(self, client, motions):
        page = search(client, "充电桩")
        links = {a.get_text(): a["href"] for a in page.select(".results--others h3 a")}
        assert links == {"东门增设充电桩议案": f"/votes/{motions['open'].pk}/"}
        excerpt_shown = page.select_one(".results--others .search-excerpt")
        assert excerpt_shown.select_one("mark").get_text() == "充电桩"

        published = search(client, "每月收费")
        assert [a["href"] for a in published.select(".results--others h3 a")] == [
            f"/votes/{motions['published'].pk}/"
        ]

    def test_drafts_and_closed_votes_without_results_are_not_found(self, client, motions):
        page = search(client, "充电桩收费")
        assert page.select(".results--others") == []
        assert "充电桩收费" not in {a.get_text() for a in page.select("a")}
        assert search(client, "草案").select(".results--others") == []

    def test_every_word_must_match(self, client, motions):
        assert search(client, "充电桩 二十个").select(".results--others h3 a")
        assert search(client, "充电桩 图书馆").select(".results--others") == []

    def test_only_votes_found_is_not_nothing_found(self, client, motions):
        response = client.get("/search/", {"q": "充电桩"}, headers=ENGLISH)
        assert "Nothing was found" not in response.content.decode()

    @pytest.mark.parametrize("query", ['a"b', "%", "_", "\\", "' OR 1=1 --"])
    def test_odd_queries_are_no_error(self, client, motions, parking, query):
        assert client.get("/search/", {"q": query}).status_code == 200
