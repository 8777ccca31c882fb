"""Absolute addresses from the request's scheme and host, or from the configured base URL when
there is no request: the sitemap, feeds and calendars lead where the reader came from."""

from xml.etree import ElementTree

import pytest

from django.test import RequestFactory

from core.links import absolute_url, base_url
from home.models import StandardPage

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def about(home_page):
    page = StandardPage(title="关于居委会", slug="about")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def sitemap_locations(client, **headers):
    response = client.get("/sitemap.xml", **headers)
    assert response.status_code == 200
    return [loc.text for loc in ElementTree.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_the_sitemap_carries_the_host_the_reader_used(client, about):
    locations = sitemap_locations(client, HTTP_HOST="community.example")
    assert "http://community.example/" in locations
    assert "http://community.example/about/" in locations
    assert not [loc for loc in locations if "localhost" in loc]


def test_the_sitemap_behind_the_proxy_is_https(client, about, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    locations = sitemap_locations(
        client, HTTP_HOST="community.example", HTTP_X_FORWARDED_PROTO="https"
    )
    assert locations and all(loc.startswith("https://community.example/") for loc in locations)


def test_without_a_request_the_configured_base_url(about, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://sq.example.org/"
    assert base_url() == "https://sq.example.org"
    assert absolute_url("/opinions/") == "https://sq.example.org/opinions/"
    assert about.get_full_url() == "https://sq.example.org/about/"


def test_with_a_request_its_own_scheme_and_host(about):
    request = RequestFactory().get("/", HTTP_HOST="community.example")
    assert base_url(request) == "http://community.example"
    assert about.get_full_url(request) == "http://community.example/about/"
    # Relative links inside the site are unchanged.
    assert about.get_url(request) == "/about/"


def test_a_host_not_allowed_is_refused_before_any_link_is_made(client, about):
    response = client.get("/sitemap.xml", HTTP_HOST="evil.example")
    assert response.status_code == 400
