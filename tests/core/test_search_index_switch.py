"""The suite's switch for Wagtail's search index (``tests/conftest.py``): a page saved in a test
is found by the site's search only in a test marked ``search_index``; ``search_index_off``
turns it off for a block and back on after it."""

import pytest
from bs4 import BeautifulSoup

from tests.home.factories import StandardPageFactory
from tests.support import search_index_off

pytestmark = pytest.mark.django_db


def found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in html.select("ol.results h2 a")]


def test_without_the_marker_a_page_saved_is_not_found(client, home_page):
    StandardPageFactory(parent=home_page, title="Zephyrine meadow", slug="meadow")

    assert found(client, "Zephyrine") == []


@pytest.mark.search_index
def test_with_the_marker_a_page_saved_is_found(client, home_page):
    with search_index_off():
        StandardPageFactory(parent=home_page, title="Zephyrine meadow", slug="meadow")
    river = StandardPageFactory(parent=home_page, title="Zephyrine river", slug="river")

    assert found(client, "Zephyrine") == [river.url]
