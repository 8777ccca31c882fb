"""``core.pages.page_url``: the link ``{% pageurl %}`` writes for a page, from its ``url_path``
alone (the lists that read their pages as values link their rows with it)."""

import pytest

from django.test import RequestFactory

from wagtail.models import Page, Site

from core.pages import page_url
from core.sitewide import SiteMiddleware
from home.models import HomePage
from tests.home.factories import StandardPageFactory

pytestmark = pytest.mark.django_db


def request_for(host):
    request = RequestFactory().get("/", headers={"host": host})
    SiteMiddleware(lambda request: None)(request)
    return request


def pageurl(page, request):
    """What the template tag writes (``wagtailcore_tags.pageurl``)."""
    return page.specific.get_url(request)


def test_pages_of_the_site_at_any_depth_and_with_chinese_slugs():
    home = HomePage.objects.get()
    section = StandardPageFactory(parent=home, slug="services-2")
    pages = [
        home,
        section,
        StandardPageFactory(parent=section, slug="居民议事"),
        StandardPageFactory(parent=section, slug="a-b_c"),
    ]
    request = request_for("localhost")
    for page in pages:
        assert page_url(page.url_path, request) == pageurl(page, request)
    assert (
        page_url(pages[2].url_path, request) == "/services-2/%E5%B1%85%E6%B0%91%E8%AE%AE%E4%BA%8B/"
    )


def test_a_page_of_another_site_gets_that_sites_address():
    root = Page.get_first_root_node()
    other_home = root.add_child(instance=HomePage(title="另一个社区", slug="other-home"))
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    other_page = StandardPageFactory(parent=other_home, slug="notice")
    own_page = StandardPageFactory(slug="notice")

    for host in ("localhost", "other.example"):
        request = request_for(host)
        for page in (other_page, own_page):
            assert page_url(page.url_path, request) == pageurl(page, request)
    assert page_url(other_page.url_path, request_for("localhost")).startswith("http")
    assert page_url(other_page.url_path, request_for("other.example")) == "/notice/"


def test_a_page_outside_every_site_has_no_address():
    root = Page.get_first_root_node()
    orphan = root.add_child(instance=HomePage(title="无站点", slug="orphan"))
    request = request_for("localhost")
    assert pageurl(orphan, request) is None
    assert page_url(orphan.url_path, request) is None
