"""A body larger than the site takes is refused (413) before anything reads it; a body sent
without a length is never read; a form of too many fields is a 400, never a 500
(core/limits.py)."""

import io
from unittest import mock
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.test import Client

from duty.models import DutyRecord
from opinions.models import Opinion
from opinions.pages import OpinionsPageMixin
from tests.support import ui

from .conftest import ENGLISH, LOGIN, REQUEST_FORM, login_data, opinion_data, request_data

HUGE = 200 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
TOO_LARGE = "What you sent is too large"
UNREADABLE = "Your request could not be read"


class Guarded(io.RawIOBase):
    """A request body that is never there: reading more than a few kilobytes of it fails the
    test, and what was read is counted."""

    def __init__(self, allowed=4096):
        self.allowed = allowed
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        if self.read_bytes > self.allowed:
            raise AssertionError(f"{self.read_bytes} bytes of the body were read")
        buffer[: len(buffer)] = b"a" * len(buffer)
        return len(buffer)


def declaring(length, body=None, **extra):
    """What a client sends with ``Content-Length: length`` and a body that is never there."""
    body = body or Guarded()
    return body, {"CONTENT_LENGTH": str(length), "wsgi.input": body, **ENGLISH, **extra}


def heading(response):
    return BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True)


@pytest.fixture
def spies():
    """The views behind the forms, watched: none may run for a refused body."""
    with (
        mock.patch.object(OpinionsPageMixin, "serve_opinion") as opinion,
        mock.patch.object(LoginView, "post") as login,
    ):
        yield opinion, login


@pytest.mark.django_db
class TestADeclaredHugeBody:
    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    def test_is_refused_unread_and_the_view_never_runs(self, client, topic, spies, where):
        path = {"opinion": topic.url, "request": REQUEST_FORM, "login": LOGIN}[where]
        body, extra = declaring(HUGE)

        response = client.generic("POST", path, b"", content_type=FORM, **extra)

        assert response.status_code == 413
        assert body.read_bytes == 0
        assert heading(response) == ui("en", TOO_LARGE)
        # The site's page (its frame), in the reader's language, never kept.
        assert b"site-header" in response.content
        assert "no-store" in response["Cache-Control"]
        assert not any(spy.called for spy in spies)
        assert Opinion.objects.count() == DutyRecord.objects.count() == 0

    def test_in_chinese_by_default(self, client, topic):
        _body, extra = declaring(HUGE)
        extra.pop("HTTP_ACCEPT_LANGUAGE")
        response = client.generic("POST", topic.url, b"", content_type=FORM, **extra)
        assert response.status_code == 413
        assert heading(response) == ui("zh-hans", TOO_LARGE)

    def test_multipart_and_other_methods_too(self, client, topic):
        for method, content_type in [
            ("POST", "multipart/form-data; boundary=xyz"),
            ("PUT", "application/octet-stream"),
            ("PATCH", FORM),
        ]:
            body, extra = declaring(HUGE)
            response = client.generic(method, topic.url, b"", content_type=content_type, **extra)
            assert response.status_code == 413, method
            assert body.read_bytes == 0

    def test_just_over_the_public_limit_is_refused(self, client, topic):
        limit = settings.PUBLIC_MAX_BODY_BYTES
        assert limit == 1024 * 1024
        body, extra = declaring(limit + 1)
        response = client.generic("POST", topic.url, b"", content_type=FORM, **extra)
        assert response.status_code == 413
        assert body.read_bytes == 0

    def test_a_real_form_within_the_limit_is_taken(self, client, topic):
        response = client.post(topic.url, opinion_data())
        assert response.status_code == 302
        assert Opinion.objects.count() == 1


@pytest.mark.django_db
class TestTheAdmin:
    """The admin takes uploads: its limit is higher, and refused bodies are refused there too."""

    def test_its_limit_is_above_every_upload_it_takes(self):
        largest_upload = max(
            settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE,
            settings.WAGTAILDOCS_MAX_UPLOAD_SIZE,
            settings.IMPORT_MAX_UPLOAD_SIZE,
        )
        assert largest_upload < settings.ADMIN_MAX_BODY_BYTES
        assert settings.ADMIN_MAX_BODY_BYTES > settings.PUBLIC_MAX_BODY_BYTES

    def test_a_body_over_the_public_limit_reaches_the_admin(self, client):
        size = settings.PUBLIC_MAX_BODY_BYTES + 1024
        data = urlencode({"username": "nobody", "password": "x", "note": "a" * size}).encode()
        response = client.generic("POST", "/admin/login/", data, content_type=FORM)
        assert response.status_code == 200  # the login form again, with its error
        assert b"site-header" not in response.content

    def test_a_huge_body_is_refused_there_too(self, client):
        body, extra = declaring(settings.ADMIN_MAX_BODY_BYTES + 1)
        response = client.generic("POST", "/admin/login/", b"", content_type=FORM, **extra)
        assert response.status_code == 413
        assert body.read_bytes == 0

    def test_form_fields_beyond_djangos_memory_limit_are_413_not_500(self, client):
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
        data = urlencode({"username": "nobody", "note": "a" * size}).encode()
        response = client.generic("POST", "/admin/login/", data, content_type=FORM, **ENGLISH)
        assert response.status_code == 413
        assert heading(response) == ui("en", TOO_LARGE)


@pytest.mark.django_db
class TestABodyWithoutALength:
    """``Transfer-Encoding: chunked`` and no ``Content-Length``: Django under WSGI (gunicorn
    passes such a body on as it comes) reads none of it, so nothing large is ever read."""

    @pytest.mark.parametrize("where", ["opinion", "request"])
    def test_is_never_read(self, topic, where):
        path = {"opinion": topic.url, "request": REQUEST_FORM}[where]
        body = Guarded(allowed=0)
        client = Client()
        response = client.generic(
            "POST",
            path,
            b"",
            content_type=FORM,
            **{"wsgi.input": body, "HTTP_TRANSFER_ENCODING": "chunked", **ENGLISH},
        )
        # An empty form: sent back with its errors.
        assert response.status_code == 400
        assert body.read_bytes == 0
        assert Opinion.objects.count() == DutyRecord.objects.count() == 0


@pytest.mark.django_db
class TestTooManyFields:
    def test_the_public_limit_is_far_below_the_admins(self):
        assert settings.PUBLIC_MAX_NUMBER_FIELDS <= 200
        assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 10_000

    @pytest.mark.parametrize("where", ["opinion", "request", "login"])
    def test_a_form_of_too_many_fields_is_a_400(self, client, topic, where):
        path = {"opinion": topic.url, "request": REQUEST_FORM, "login": LOGIN}[where]
        data = {"opinion": opinion_data(), "request": request_data(), "login": login_data()}[where]
        fields = list(data.items()) + [
            (f"extra{n}", "x") for n in range(settings.PUBLIC_MAX_NUMBER_FIELDS)
        ]
        response = client.generic(
            "POST", path, urlencode(fields).encode(), content_type=FORM, **ENGLISH
        )
        assert response.status_code == 400
        assert heading(response) == ui("en", UNREADABLE)
        assert Opinion.objects.count() == DutyRecord.objects.count() == 0

    def test_beyond_djangos_own_limit_too_and_in_multipart(self, client, topic):
        many = [(f"f{n}", "x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
        response = client.generic(
            "POST", topic.url, urlencode(many).encode(), content_type=FORM, **ENGLISH
        )
        assert response.status_code == 400
        response = client.post(
            topic.url, {f"f{n}": "x" for n in range(settings.PUBLIC_MAX_NUMBER_FIELDS + 1)}
        )
        assert response.status_code == 400
        assert Opinion.objects.count() == 0

    def test_a_form_just_within_the_limit_is_read(self, client, topic):
        data = opinion_data()
        padding = settings.PUBLIC_MAX_NUMBER_FIELDS - len(data)
        fields = list(data.items()) + [(f"extra{n}", "x") for n in range(padding)]
        response = client.generic("POST", topic.url, urlencode(fields).encode(), content_type=FORM)
        assert response.status_code == 302
        assert Opinion.objects.count() == 1
