"""Site search: Chinese words inside Chinese text, paging, bad input, drafts, escaping."""

import re

import pytest
from bs4 import BeautifulSoup

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

from core.search import han_bigrams, search_terms
from home.models import StandardPage

from .factories import StandardPageFactory, paragraph

pytestmark = pytest.mark.search_index

ENGLISH = {"accept-language": "en"}


def search(client, query, **params):
    return client.get("/search/", {"q": query, **params}, headers=ENGLISH)


def result_paths(response):
    page = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in page.select("ol.results h2 a")]


class TestHanBigrams:
    def test_pairs_of_neighbouring_han_characters(self):
        assert han_bigrams("小区停车位") == ["小区", "区停", "停车", "车位"]

    def test_a_lone_character_stays_as_it_is(self):
        assert han_bigrams("停") == ["停"]

    def test_other_scripts_and_punctuation_split_the_runs(self):
        assert han_bigrams("停车 parking 位") == ["停车", "位"]
        assert han_bigrams("停车，管理") == ["停车", "管理"]
        assert han_bigrams("5G基站建设") == ["基站", "站建", "建设"]

    def test_extension_a_and_compatibility_ideographs_count_as_han(self):
        assert han_bigrams("\u3400\u4e00\uf900") == ["\u3400\u4e00", "\u4e00\uf900"]

    @pytest.mark.parametrize("text", ["", None, "parking rules", "2024-05-01", "，。！"])
    def test_no_han_no_pairs(self, text):
        assert han_bigrams(text) == []


class TestSearchTerms:
    @pytest.mark.parametrize(
        ("query", "terms"),
        [
            ("停车位", "停车 车位"),
            ("停车", "停车"),
            ("parking", "parking"),
            ("停车 parking", "停车 parking"),
            ("停车parking", "parking 停车"),
            ("Wi-Fi覆盖", "Wi-Fi 覆盖"),
            ("  居民   代表  ", "居民 代表"),
            ("", ""),
            (None, ""),
            ("   ", ""),
        ],
    )
    def test_han_runs_become_their_pairs(self, query, terms):
        assert search_terms(query) == terms


@pytest.mark.django_db
class TestFindsWords:
    @pytest.fixture(autouse=True)
    def _pages(self, home_page):
        StandardPageFactory(
            title="管理办法",
            slug="parking",
            body=[paragraph("<p>小区停车位管理办法 Parking rules for residents.</p>")],
        )
        StandardPageFactory(
            title="自行车棚",
            slug="bicycles",
            introduction="A new bicycle parking shelter by building 3.",
        )
        StandardPageFactory(title="居民代表会议纪要", slug="minutes")
        StandardPageFactory(
            title="线上办事",
            slug="online",
            introduction="下载社区APP办理业务，小区Wi-Fi覆盖到每栋楼。",
        )

    def test_an_english_word(self, client):
        assert sorted(result_paths(search(client, "parking"))) == ["/bicycles/", "/parking/"]
        assert result_paths(search(client, "Residents")) == ["/parking/"]

    @pytest.mark.parametrize("word", ["停车", "停车位", "管理办法", "车位管理"])
    def test_a_chinese_word_inside_chinese_text(self, client, word):
        assert result_paths(search(client, word)) == ["/parking/"]

    @pytest.mark.parametrize("word", ["火车", "停车场", "代表大会"])
    def test_not_a_chinese_word_that_is_not_there(self, client, word):
        response = search(client, word)
        assert response.status_code == 200
        assert result_paths(response) == []
        assert "Nothing was found" in response.content.decode()

    def test_a_chinese_word_in_the_title(self, client):
        assert result_paths(search(client, "代表")) == ["/minutes/"]

    @pytest.mark.parametrize("query", ["停车 parking", "parking 停车", "停车parking"])
    def test_chinese_and_latin_together_must_both_be_there(self, client, query):
        assert result_paths(search(client, query)) == ["/parking/"]

    def test_chinese_and_latin_when_one_is_missing(self, client):
        assert result_paths(search(client, "停车 railway")) == []
        assert result_paths(search(client, "火车 parking")) == []

    @pytest.mark.parametrize("query", ["APP", "app", "Wi-Fi", "社区APP", "APP办理"])
    def test_latin_written_against_chinese_text(self, client, query):
        assert result_paths(search(client, query)) == ["/online/"]

    def test_a_single_chinese_character(self, client):
        assert result_paths(search(client, "栋")) == ["/online/"]
        assert result_paths(search(client, "纪")) == ["/minutes/"]

    def test_the_count_is_shown(self, client):
        assert "2 pages found for “parking”." in search(client, "parking").content.decode()


@pytest.mark.django_db
class TestPagination:
    @pytest.fixture(autouse=True)
    def _pages(self, home_page):
        StandardPageFactory.create_batch(13, introduction="元宵节灯笼展。")

    def test_the_second_page_shows_the_rest(self, client):
        first = result_paths(search(client, "灯笼"))
        second_response = search(client, "灯笼", page=2)
        second = result_paths(second_response)
        assert len(first) == 10
        assert len(second) == 3
        assert set(first) | set(second) == {page.url for page in StandardPage.objects.all()}
        assert 'start="11"' in second_response.content.decode()

    def test_page_links_keep_the_query(self, client):
        page = BeautifulSoup(search(client, "灯笼").content.decode(), "html.parser")
        assert (
            page.select_one('.pagination a[rel="next"]')["href"] == "?q=%E7%81%AF%E7%AC%BC&page=2"
        )

    @pytest.mark.parametrize(("number", "shown"), [("abc", 10), ("999", 3), ("-1", 3), ("", 10)])
    def test_a_bad_page_number_gives_a_page_not_an_error(self, client, number, shown):
        response = search(client, "灯笼", page=number)
        assert response.status_code == 200
        assert len(result_paths(response)) == shown


@pytest.mark.django_db
class TestTheMostResults:
    """A search counts and lists at most ``SEARCH_MOST_RESULTS`` pages: past that, the count
    says "at least" and the database reads no further, however many pages hold the word."""

    @pytest.fixture(autouse=True)
    def _pages(self, home_page, settings):
        settings.SEARCH_RESULTS_PER_PAGE = 2
        # Seven pages, each holding the word more often than the next: a clear ranking.
        for times in range(7, 0, -1):
            StandardPageFactory(
                title=f"灯会安排{times}", introduction="元宵节灯笼展。" * times + "社区活动。" * 20
            )

    def all_listed(self, client, query):
        found, number = [], 1
        while True:
            response = search(client, query, page=number)
            found += result_paths(response)
            if f"page={number + 1}" not in response.content.decode():
                return found, response
            number += 1

    def test_past_the_most_the_count_says_at_least_and_the_best_are_listed(self, client, settings):
        everything, _response = self.all_listed(client, "灯笼")
        assert len(everything) == 7
        settings.SEARCH_MOST_RESULTS = 5
        listed, last = self.all_listed(client, "灯笼")
        assert listed == everything[:5]
        assert "At least 5 pages found for “灯笼”: the first 5 are listed" in (
            search(client, "灯笼").content.decode()
        )
        # Page three holds the fifth; there is no fourth.
        assert len(result_paths(last)) == 1
        assert result_paths(search(client, "灯笼", page=4)) == result_paths(last)

    def test_the_search_reads_no_further_than_the_most(self, client, settings):
        """Each query that reads the full-text index stops at the most (SQLite ranks and
        counts the best in one query; PostgreSQL counts the slice, then reads its page)."""
        settings.SEARCH_MOST_RESULTS = 5
        with CaptureQueriesContext(connection) as queries:
            assert len(result_paths(search(client, "灯笼"))) == 2
        searched = [q["sql"] for q in queries.captured_queries if re.search(r"MATCH|@@", q["sql"])]
        assert searched
        for sql in searched:
            # Besides "LIMIT 1" of a check made for each match (is its page public?).
            limits = [int(n) for n in re.findall(r"LIMIT (\d+)", sql) if n != "1"]
            assert limits, sql
            assert max(limits) <= 5, sql

    @pytest.mark.parametrize(("most", "shown"), [(8, "7 pages found"), (7, "At least 7 pages")])
    def test_up_to_the_most_the_count_is_exact(self, client, settings, most, shown):
        settings.SEARCH_MOST_RESULTS = most
        assert shown in search(client, "灯笼").content.decode()


@pytest.mark.django_db
class TestQueryInput:
    @pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
    def test_no_query_shows_the_prompt_not_results(self, client, home_page, params):
        StandardPageFactory(introduction="parking")
        response = client.get("/search/", params, headers=ENGLISH)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Type one or more words to find pages, votes and results about them." in content
        assert result_paths(response) == []
        assert "Nothing was found" not in content
        assert 'role="alert"' not in content

    @pytest.mark.parametrize("query", ["x" * 101, "停" * 101, "parking " + "a" * 93])
    def test_an_over_long_query_gets_a_clear_message(self, client, home_page, query):
        StandardPageFactory(introduction="parking " + "x" * 101)
        response = search(client, query)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Please shorten your search to at most 100 characters." in content
        assert 'aria-invalid="true"' in content
        assert result_paths(response) == []

    @pytest.mark.parametrize("query", ["x" * 100, "停车" * 50])
    def test_a_query_of_exactly_the_limit_is_searched(self, client, home_page, query):
        response = search(client, query)
        assert response.status_code == 200
        assert "Please shorten" not in response.content.decode()
        assert "Nothing was found" in response.content.decode()

    @pytest.mark.parametrize(
        "query",
        [
            '"',
            '停车"',
            '"parking',
            "'",
            "\\",
            "*",
            "(",
            "NEAR(",
            "a OR",
            "-",
            "\x00",
            "停车\x00",
            "😀",
        ],
    )
    def test_whatever_a_reader_types_gives_a_page_not_an_error(self, client, home_page, query):
        StandardPageFactory(introduction="小区停车位 parking")
        assert search(client, query).status_code == 200

    def test_a_double_quote_is_read_as_a_space(self, client, home_page):
        StandardPageFactory(slug="parking", introduction="小区停车位 parking")
        assert result_paths(search(client, '"停车" "parking"')) == ["/parking/"]

    def test_markup_in_the_query_is_escaped(self, client, home_page):
        query = '<script>alert("x")</script>'
        content = search(client, query).content.decode()
        assert "<script>" not in content
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


@pytest.mark.django_db
class TestOnlyLivePublicPages:
    def test_a_draft_is_never_found(self, client, home_page):
        StandardPageFactory(slug="draft", state="draft", introduction="秘密草稿 secretdraft")
        assert result_paths(search(client, "秘密")) == []
        assert result_paths(search(client, "secretdraft")) == []

    def test_a_withdrawn_page_is_not_found(self, client, home_page):
        StandardPageFactory(slug="gone", state="unpublished", introduction="撤下公告 withdrawn")
        assert result_paths(search(client, "撤下")) == []
        assert result_paths(search(client, "withdrawn")) == []

    def test_unpublished_changes_of_a_live_page_are_not_found(self, client, home_page):
        page = StandardPageFactory(slug="notice", introduction="停水通知 water")
        page.introduction = "停电通知 electricity"
        page.save_revision()
        assert result_paths(search(client, "停水")) == ["/notice/"]
        assert result_paths(search(client, "停电")) == []
        assert result_paths(search(client, "electricity")) == []

    def test_a_private_page_is_not_found(self, client, home_page):
        page = StandardPageFactory(slug="private", introduction="内部资料 internal")
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
        assert result_paths(search(client, "内部")) == []
