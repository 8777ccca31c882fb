"""Whatever a client sends, the public site answers with a page: a form in a charset other
than UTF-8, bytes that are not UTF-8, NUL characters, a broken multipart body, a host that is
not the site's. A request the site cannot read gets its 400 page (core/errors.py), never a
500, and nothing is kept.

Django raises the same ``BadRequest`` again at every later read of such a form, and its error
reporting reads the form (the debug page with ``DEBUG`` on, a log handler reporting the
request): the site's middleware answers the request itself and leaves an empty form behind.
"""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from django.test import Client

from duty.models import DutyRecord
from opinions.models import Opinion
from tests.support import ui

from .conftest import ENGLISH, LOGIN, REQUEST_FORM, login_data, opinion_data, request_data

UNREADABLE = "Your request could not be read"
FORM = "application/x-www-form-urlencoded"
BODY = "body=建议&author_name=老李&resident_name=李&request=灯坏了&username=chen&password=x"


def heading(response):
    return BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True)


def paths(topic):
    return {"opinion": topic.url, "request": REQUEST_FORM, "login": LOGIN}


def assert_the_sites_400(response, language="en"):
    assert response.status_code == 400
    assert heading(response) == ui(language, UNREADABLE)
    # The site's frame (header, menu, footer), not Django's bare page.
    assert b"site-header" in response.content
    assert f'<html lang="{language}">'.encode() in response.content


def assert_a_page(response):
    """The form again with its errors (400), the login form again (200), or, for a user who
    is logged in already, the login's redirect away from it (302)."""
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert b"site-header" in response.content


def assert_nothing_kept():
    assert Opinion.objects.count() == 0
    assert DutyRecord.objects.count() == 0


@pytest.fixture(params=["anonymous", "logged in"])
def any_client(request, chen):
    client = Client()
    if request.param == "logged in":
        client.force_login(chen)
    return client


@pytest.mark.django_db
class TestAFormInAnotherCharset:
    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    @pytest.mark.parametrize("charset", ["utf-16", "latin-1", "gb18030"])
    def test_is_the_sites_400(self, any_client, topic, where, charset):
        response = any_client.generic(
            "POST",
            paths(topic)[where],
            BODY.encode(charset, "replace"),
            content_type=f"{FORM}; charset={charset}",
            **ENGLISH,
        )
        assert_the_sites_400(response)
        assert_nothing_kept()

    def test_in_chinese_by_default(self, client, topic):
        response = client.generic(
            "POST", topic.url, BODY.encode("utf-16"), content_type=f"{FORM}; charset=utf-16"
        )
        assert_the_sites_400(response, "zh-hans")

    def test_with_debug_on_as_the_demo_runs(self, client, topic, settings):
        # Django's debug page reads the form again to show it: the 400 turned into a 500.
        settings.DEBUG = True
        response = client.generic(
            "POST",
            topic.url,
            BODY.encode("utf-16"),
            content_type=f"{FORM}; charset=utf-16",
            **ENGLISH,
        )
        assert_the_sites_400(response)

    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    def test_an_unknown_charset_is_read_as_utf_8(self, client, topic, chen, where):
        data = {"opinion": opinion_data(), "request": request_data(), "login": login_data()}
        response = client.generic(
            "POST",
            paths(topic)[where],
            urlencode(data[where]).encode(),
            content_type=f"{FORM}; charset=foo",
        )
        # Kept (or logged in), as with no charset at all.
        assert response.status_code == 302


@pytest.mark.django_db
class TestBytesThatAreNotText:
    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    @pytest.mark.parametrize(
        "body",
        [
            b"body=\xff\xfe\xfa&resident_name=\xc3&username=\xff",
            b"body=%FF%FE&resident_name=%C3&username=%FF",
            b"body=a\x00b&resident_name=%00&username=%00chen&password=%00",
            b"\x00\x00\x00\x00",
            b"%%%%&&&===",
        ],
    )
    def test_are_no_server_error_and_nothing_is_kept(self, any_client, topic, where, body):
        response = any_client.generic(
            "POST", paths(topic)[where], body, content_type=FORM, **ENGLISH
        )
        assert_a_page(response)
        assert_nothing_kept()

    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    @pytest.mark.parametrize(
        "content_type, body",
        [
            ("multipart/form-data", b"no boundary"),
            ("multipart/form-data; boundary=", b"--\r\n"),
            ("multipart/form-data; boundary=xyz; charset=utf-16", "--xyz\r\n".encode("utf-16")),
            (
                "multipart/form-data; boundary=xyz",
                b'--xyz\r\nContent-Disposition: form-data; name="body"\r\n\r\n\xff\x00\r\n--xyz',
            ),
            ("multipart/form-data; boundary=" + "x" * 500, b"--x"),
        ],
    )
    def test_a_broken_multipart_body_is_no_server_error(
        self, any_client, topic, where, content_type, body
    ):
        response = any_client.generic(
            "POST", paths(topic)[where], body, content_type=content_type, **ENGLISH
        )
        assert_a_page(response)
        assert_nothing_kept()


@pytest.mark.django_db
@pytest.mark.search_index
class TestTheSearch:
    @pytest.mark.parametrize(
        "query",
        ["%FF", "%00", "%FF%00%FE", "a%00b", "%C3", "%E4%BD", "%", "%%%", "&&q=&q", "q" * 5000],
    )
    def test_odd_queries_get_the_search_page(self, any_client, query):
        response = any_client.get(f"/search/?q={query}", **ENGLISH)
        assert response.status_code == 200
        assert b"site-header" in response.content

    def test_a_get_declaring_another_charset(self, client):
        response = client.generic(
            "GET", "/search/?q=%FF%FE", b"", content_type=f"{FORM}; charset=utf-16"
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestAHostNotTheSites:
    def test_is_a_400_page_not_a_server_error(self, client, topic):
        # Refused by Django as it looks at the host; the site's frame would look the site up
        # by that same host and be refused again, inside the error handler.
        response = client.get(topic.url, HTTP_HOST="evil.example", **ENGLISH)
        assert response.status_code == 400
        assert heading(response) == ui("en", UNREADABLE)

    def test_and_so_is_a_post_to_a_form(self, client, topic):
        response = client.post(topic.url, opinion_data(), HTTP_HOST="evil.example:8000", **ENGLISH)
        assert response.status_code == 400
        assert_nothing_kept()
