"""Plain HTTP to the instances, as a load balancer hands them a visitor's requests.

The balancer ends TLS and sends every instance the same host name, ``X-Forwarded-Proto:
https`` and the visitor's address appended to ``X-Forwarded-For`` (``TRUSTED_PROXIES``).
A ``Visitor`` is one person at one address, with their cookies (kept here by hand: the
site's cookies are ``Secure``, and this side of the balancer speaks plain HTTP).
"""

import http.client
import re
import time
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django_ratelimit.core import _get_window

from core.cache import HEADER

HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}"
TIMEOUT = 60  # seconds

_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def cached(self):
        """What the page cache said: "hit", "miss", or None (not served through it)."""
        return self.headers.get(HEADER)

    @property
    def location(self):
        """Where a redirect leads: the path and query, without scheme and host."""
        parts = urlsplit(self.headers.get("Location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def csrf_token(self):
        """The token of the (first) form on the page."""
        found = _CSRF_FIELD.search(self.text)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)


@dataclass(frozen=True)
class Instance:
    """One gunicorn instance of the site, on its own port."""

    name: str
    port: int

    def send(self, method, path, headers, body=None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


class Visitor:
    """One person at ``address``, reaching the site through whichever instance is named."""

    def __init__(self, address):
        self.address = address
        self.cookies = {}

    def _headers(self, extra):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "zh-CN",
            **extra,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return headers

    def _keep_cookies(self, headers):
        for line in headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, instance, method, path, headers=None, body=None):
        status, got, content = instance.send(method, path, self._headers(headers or {}), body)
        self._keep_cookies(got)
        return Response(status, got, unescape(content.decode("utf-8", "replace")))

    def get(self, instance, path):
        return self.request(instance, "GET", path)

    def post(self, instance, path, data, headers=None):
        """A form sent from this site's page, as a browser sends it (with ``Origin``); with
        ``headers`` besides."""
        return self.request(
            instance,
            "POST",
            path,
            {
                "Origin": ORIGIN,
                "Content-Type": "application/x-www-form-urlencoded",
                **(headers or {}),
            },
            urlencode(data).encode(),
        )

    def log_in(self, instance, username, password, path="/accounts/login/"):
        """Fill in the login form at ``path`` on ``instance``; the answer to the post."""
        form = self.get(instance, path)
        assert form.status == 200, (instance.name, path, form.status)
        return self.post(
            instance,
            path,
            {
                "csrfmiddlewaretoken": form.csrf_token(),
                "username": username,
                "password": password,
            },
        )


def send_form(instance, address, path, data):
    """A public form posted by a visitor at ``address`` from the site's page, as a browser
    sends it (``Origin``, no token: the public forms sit on cached pages, core/csrf.py), asking
    for English."""
    return Visitor(address).post(instance, path, data, {"Accept-Language": "en"})


def an_address_with_time_left(addresses, periods, seconds):
    """The first of ``addresses`` whose current window of each rate limit period in
    ``periods`` has at least ``seconds`` left (django-ratelimit starts each client's windows at
    its own offset): the posts sent from it within that time all fall in one window of each."""
    for address in addresses:
        if all(_get_window(address, period) - time.time() >= seconds for period in periods):
            return address
    raise AssertionError("unreachable: the addresses never end")
