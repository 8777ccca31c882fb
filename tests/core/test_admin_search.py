"""What a person types into an admin search box never ends in a server error.

Wagtail's SQLite full-text backend put each word between double quotes without escaping
the quotes typed, so ``a"b`` failed with "unterminated string"; ``core.search_backend``
escapes them. Each box is tried with the characters FTS5 reads as syntax.
"""

import pytest

from wagtail.models import Page

from core import search_backend
from people.factories import PersonFactory
from tests.home.factories import StandardPageFactory
from tests.support import logged_in

TYPED = ['a"b', '"', "*", "OR", "(", 'a" OR "b', "a AND (", '"停水"', "停水*", "NOT"]


@pytest.fixture
def content(home_page):
    PersonFactory(name="周卫东", building="3号楼")
    return StandardPageFactory(parent=home_page, title="Water notice", slug="water")


@pytest.mark.django_db
@pytest.mark.parametrize("query", TYPED)
class TestQuotesAndOperators:
    @pytest.mark.search_index
    def test_the_page_explorer_search(self, superuser, content, home_page, query):
        response = logged_in(superuser).get(f"/admin/pages/{home_page.pk}/", {"q": query})
        assert response.status_code == 200

    @pytest.mark.search_index
    def test_the_page_search(self, superuser, content, query):
        response = logged_in(superuser).get("/admin/pages/search/", {"q": query})
        assert response.status_code == 200

    @pytest.mark.search_index
    def test_the_page_chooser_search(self, superuser, content, query):
        response = logged_in(superuser).get("/admin/choose-page/search/", {"q": query})
        assert response.status_code == 200

    @pytest.mark.search_index
    def test_a_snippet_chooser_search(self, superuser, content, query):
        response = logged_in(superuser).get(
            "/admin/snippets/choose/people/person/results/", {"q": query}
        )
        assert response.status_code == 200

    # The listing searches with the ORM (no search backend): no index needed.
    def test_a_snippet_listing_search(self, superuser, content, query):
        response = logged_in(superuser).get("/admin/snippets/votes/motion/", {"q": query})
        assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.search_index
class TestSearchStillFinds:
    def test_a_page_by_a_word_of_its_title(self, superuser, content, home_page):
        response = logged_in(superuser).get(f"/admin/pages/{home_page.pk}/", {"q": "water"})
        assert content.pk in [page.pk for page in response.context["pages"]]

    def test_a_word_with_a_quote_finds_the_word(self, superuser, content, home_page):
        found = Page.objects.autocomplete('water"')
        assert content.pk in [page.pk for page in found]

    def test_a_person_in_the_chooser_by_name(self, superuser, content):
        response = logged_in(superuser).get(
            "/admin/snippets/choose/people/person/results/", {"q": "周卫东"}
        )
        assert "周卫东" in response.content.decode()


def test_quotes_are_doubled_for_fts5():
    assert search_backend.fts5_escape('a"b') == 'a""b'
    assert search_backend.fts5_escape("plain") == "plain"
