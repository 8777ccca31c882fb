"""Search results ranked by relevance read each match once (``core.search_backend``).

Wagtail's SQLite backend scored each result with a subquery that evaluated the full-text match
again for every row: a search cost the square of the pages it matched. The site's backend ranks
a page of results in one query over the index and reads its objects by key; the order is the
backend's own (best first, ties newest first), page after page, and the queryset's filters hold.
"""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page

from home.models import StandardPage

pytestmark = pytest.mark.search_index

WORD = "停车"


@pytest.fixture
def pages(home_page):
    """Pages that match the word more or less strongly (in the title, once or several times in
    the text), with ties; and a draft that matches but is not live."""
    made = []
    for number in range(9):
        title = f"{WORD}通知{number}" if number % 3 == 0 else f"通知{number}"
        text = "，".join([f"小区{WORD}安排"] * (1 + number % 4)) + f"。第{number}号。"
        page = StandardPage(title=title, slug=f"notice-{number}", introduction=text)
        home_page.add_child(instance=page)
        page.save_revision().publish()
        made.append(page)
    draft = StandardPage(title=f"{WORD}草稿", slug="draft", introduction=WORD, live=False)
    home_page.add_child(instance=draft)
    return made, draft


def backend_order(queryset, start, stop):
    """The backend's own ranking: asked for the score, it orders by it with its subquery."""
    results = queryset.search(WORD, operator="and").annotate_score("relevance")
    return [page.pk for page in results[start:stop]]


@pytest.mark.django_db
class TestRanking:
    @pytest.mark.parametrize(("start", "stop"), [(0, 4), (4, 8), (2, 5), (0, 20)])
    def test_the_order_is_the_backends_own(self, pages, start, stop):
        queryset = Page.objects.live()

        found = [page.pk for page in queryset.search(WORD, operator="and")[start:stop]]

        assert found == backend_order(queryset, start, stop)

    @pytest.mark.parametrize(("start", "stop"), [(None, None), (0, 4), (4, 8), (7, 20), (20, 30)])
    def test_the_count_is_the_backends_own(self, pages, start, stop):
        for queryset in (Page.objects.live(), Page.objects.all(), Page.objects.filter(pk=0)):
            results = queryset.search(WORD, operator="and")[start:stop]
            # Asked for the score, the backend counts with its own search.
            own = queryset.search(WORD, operator="and").annotate_score("relevance")
            assert results.count() == own[start:stop].count()
        assert Page.objects.live().search(WORD, operator="and").count() == len(pages[0])

    def test_every_live_page_that_matches_is_found_and_the_draft_is_not(self, pages):
        made, draft = pages

        found = [page.pk for page in Page.objects.live().search(WORD, operator="and")[:20]]

        assert sorted(found) == sorted(page.pk for page in made)
        assert draft.pk not in found

    def test_the_querysets_own_filters_hold(self, pages):
        made, _draft = pages
        kept = made[:5]

        found = Page.objects.filter(pk__in=[page.pk for page in kept]).search(WORD)

        assert sorted(page.pk for page in found) == sorted(page.pk for page in kept)

    def test_each_query_reads_the_match_once(self, pages, client):
        operator = "MATCH" if connection.vendor == "sqlite" else "@@"
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": WORD})

        assert response.status_code == 200
        searching = [query["sql"] for query in queries if operator in query["sql"]]
        assert searching
        assert all(sql.count(operator) == 1 for sql in searching), searching
