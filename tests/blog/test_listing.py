"""The column's list, read as values (``blog.listing``): each row shows what the page itself
would, through ``{% pageurl %}`` and the template filters, on any page of the list, with any
filter, in either language."""

import datetime

import pytest
from bs4 import BeautifulSoup

from django.template.defaultfilters import capfirst, date, truncatechars
from django.utils import translation
from django.utils.formats import get_format

from blog.factories import BlogPageFactory
from blog.listing import SUMMARY_LENGTH, date_label, summary
from blog.models import BlogKind, BlogPage

DAY = datetime.date(2026, 3, 1)
LANGUAGES = ["en", "zh-hans"]


def rows(response):
    return response.context["posts"].object_list


def page_of(row):
    return BlogPage.objects.get(title=row.title)


@pytest.fixture
def posts(db):
    """Thirteen posts over two pages, some tagged, one with a slug in Chinese and one with an
    introduction longer than the list shows."""
    made = [
        BlogPageFactory(
            title=f"帖子{n:02d}",
            date=DAY - datetime.timedelta(days=n),
            kind=list(BlogKind)[n % 3],
            tags=["议事"] if n else [],
        )
        for n in range(12)
    ]
    made.append(
        BlogPageFactory(
            title="停水通知",
            slug="停水-通知",
            date=DAY - datetime.timedelta(days=20),
            kind=BlogKind.NOTICE,
            introduction="周六停水。" * 40,
            tags=["议事"],
        )
    )
    return made


@pytest.mark.django_db
class TestRowURLs:
    @pytest.mark.parametrize(
        "query",
        [{}, {"page": 2}, {"tag": "议事"}, {"tag": "议事", "page": 2}, {"kind": "notice"}],
    )
    def test_each_row_links_to_its_page(self, client, posts, query):
        response = client.get("/blog/", query)

        assert rows(response)
        for row in rows(response):
            assert row.url == page_of(row).get_url(response.wsgi_request)
        links = BeautifulSoup(response.content.decode(), "html.parser").select(".post__title a")
        assert [a["href"] for a in links] == [row.url for row in rows(response)]

    def test_a_slug_in_chinese_is_quoted_as_wagtail_quotes_it(self, client, posts):
        response = client.get("/blog/", {"page": 2})

        (row,) = [row for row in rows(response) if row.title == "停水通知"]
        assert row.url == "/blog/%E5%81%9C%E6%B0%B4-%E9%80%9A%E7%9F%A5/"
        assert client.get(row.url).status_code == 200


@pytest.mark.django_db
class TestRowText:
    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("query", [{}, {"page": 2}])
    def test_reads_as_the_template_filters_give_it(self, client, posts, language, query):
        response = client.get("/blog/", query, headers={"accept-language": language})

        with translation.override(language):
            for row in rows(response):
                page = page_of(row)
                assert row.kind == capfirst(page.get_kind_display())
                assert row.iso_date == date(page.date, "Y-m-d")
                assert row.date == date(page.date, "DATE_FORMAT")
                assert row.summary == truncatechars(page.introduction, SUMMARY_LENGTH)

    def test_a_kind_no_longer_offered_shows_as_stored(self, client, posts):
        BlogPage.objects.filter(title="帖子00").update(kind="legacy")

        (row,) = [row for row in rows(client.get("/blog/")) if row.title == "帖子00"]

        assert row.kind == capfirst(page_of(row).get_kind_display()) == "Legacy"


class TestDateLabel:
    def test_each_language_has_its_own(self):
        labels = {}
        for language in [*LANGUAGES, *LANGUAGES]:
            with translation.override(language):
                expected = date(DAY, "DATE_FORMAT")
                assert date_label(DAY, get_format("DATE_FORMAT"), language) == expected
                labels[language] = expected
        assert labels["en"] != labels["zh-hans"]


class TestSummary:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            "周六停水。",
            "停" * SUMMARY_LENGTH,
            "停" * (SUMMARY_LENGTH + 1),
            "周六停水。" * 40,
            # Decomposed accents: normalised (NFC), and counted as one character each.
            "e\u0301" * SUMMARY_LENGTH,
            "e\u0301" * (SUMMARY_LENGTH + 1),
            "a" + "\u0301" * (SUMMARY_LENGTH + 5),
        ],
    )
    def test_is_what_truncatechars_gives(self, text):
        for language in LANGUAGES:
            with translation.override(language):
                assert summary(text) == truncatechars(text, SUMMARY_LENGTH)
