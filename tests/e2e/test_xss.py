"""The XSS corpus in a real browser: no payload runs, no dialog opens, with the site's
Content-Security-Policy and without it.

The corpus is stored (``tests/security/xss_data.py``: every text field of a record of every
snippet model, a topic, a briefing and a hearing, 82 approved and promoted opinions, requests)
in a copy of the browser tests' database, which a gunicorn of its own serves: the other browser
tests never see it. Chromium opens the public pages that show it and the admin pages a
superuser reads it in, each twice: once as served, and once with the Content-Security-Policy
header taken out of the answer, so that only the escaping stands between a payload and the
browser. An init script records every call to ``alert``, ``confirm``, ``prompt`` and ``print``
(the payloads call them with their marker) in ``window.__xss``, in every frame, and a dialog
handler records every dialog. The page's own parse of each answer (its DOM, serialised) is read
with ``live_markup`` too. A page built of the same payloads unescaped shows the browser side of
the check catching them.
"""

import shutil
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.support import DEFAULT_LOCALE
from tests.security.xss_payloads import MARKUP, PAYLOADS, live_markup, markers_shown, stored
from tests.servers import printed_json, serve, start_shell, stop

SERVER_START_TIMEOUT = 60  # seconds
CSP_HEADERS = ("content-security-policy", "content-security-policy-report-only")

# Writes the corpus into the copied database and prints, as one line of JSON, the places to
# open and a superuser's session (signed in as ``tests.support.logged_in`` does).
SEED = """
import json

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.security.xss_data import browser_places, build

world = build(every_model=False)
cache.clear()
client = Client()
client.force_login(world["admin"])
print(json.dumps({
    **browser_places(world),
    "session": [settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value],
}))
"""

# Run in every frame before the page's own scripts: what a payload would call is recorded
# (alert, confirm and prompt still open their dialog, which the test records too; print does
# not, as a print dialog would hold the headless browser).
RECORD_CALLS = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
        window.__xss.push(name + "(" + String(args[0]) + ")");
        if (name !== "print") {
            return original.apply(window, args);
        }
    };
}
"""

# What a payload's handler may need before it runs (an autofocus, a toggle, an image failing
# to load): two frames and a moment after the load event.
SETTLE = """
() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(
    () => setTimeout(resolve, 50))))
"""


def _copy_database(source, target):
    """``source`` (the browser tests' SQLite file, in use by their site) copied to ``target``
    with SQLite's backup API, which reads a consistent state."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


@pytest.fixture(scope="module")
def xss_site(e2e_site):
    """A copy of the browser tests' database holding the corpus, served by a gunicorn of its
    own: its address, and what the seed printed (the places to open, a superuser's session)."""
    workdir = Path(tempfile.mkdtemp(prefix="cms-e2e-xss-"))
    database = workdir / "xss.sqlite3"
    _copy_database(e2e_site.env["DATABASE_URL"].removeprefix("sqlite:///"), database)
    env = {**e2e_site.env, "DATABASE_URL": f"sqlite:///{database}"}
    seeding = start_shell(env, SEED)
    # Started while the corpus is written: it reads the database only once asked.
    server = serve(env, workdir / "gunicorn.log", options=["--threads", "4"])
    try:
        facts = printed_json(seeding)
        server.wait_until_healthy(timeout=SERVER_START_TIMEOUT)
        yield server.url, facts
    finally:
        stop(server.process)
        shutil.rmtree(workdir, ignore_errors=True)


class Watch:
    """One page of the browser and what happened on it: calls recorded by ``RECORD_CALLS`` in
    every frame, dialogs, uncaught errors."""

    def __init__(self, context, *, strip_csp):
        self.page = context.new_page()
        self.dialogs = []
        self.errors = []
        self.strip_csp = strip_csp
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        if strip_csp:
            self.page.route("**/*", self._without_csp)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}({dialog.message}) on {self.page.url}")
        dialog.dismiss()

    @staticmethod
    def _without_csp(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in CSP_HEADERS}
        route.fulfill(response=response, headers=headers)

    def open(self, url):
        """Load ``url``, let it settle; the answer's headers and the DOM as the browser built it."""
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, (
            f"{url}: {response and response.status}"
        )
        self.page.evaluate(SETTLE)
        return response.all_headers(), self.page.content()

    def calls(self):
        found = []
        for frame in self.page.frames:
            try:
                found += [f"{call} in {frame.url}" for call in frame.evaluate("window.__xss || []")]
            except PlaywrightError as error:  # a frame that went away meanwhile
                found.append(f"frame {frame.url} unreadable: {error}")
        return found


@pytest.fixture(scope="module")
def browser_context(browser, xss_site):
    url, facts = xss_site
    context = browser.new_context(locale=DEFAULT_LOCALE, base_url=url)
    context.set_default_timeout(30_000)
    context.add_init_script(RECORD_CALLS)
    name, value = facts["session"]
    context.add_cookies([{"name": name, "value": value, "url": url}])
    yield context
    context.close()


def _visit_all(context, places):
    """Each place twice (with and without the policy); what ran, what each showed."""
    ran, dialogs, errors, shown, live, loads = [], [], [], set(), [], 0
    for strip_csp in (False, True):
        watch = Watch(context, strip_csp=strip_csp)
        try:
            for place in places:
                headers, dom = watch.open(place)
                loads += 1
                has_policy = "content-security-policy" in headers
                assert has_policy != strip_csp, (
                    f"{place}: policy {'kept' if strip_csp else 'missing'}"
                )
                markers = markers_shown(dom)
                assert markers, f"{place} shows no payload"
                shown |= markers
                live += [f"{place}: {item}" for item in live_markup(dom)]
                ran += [f"{place}: {call}" for call in watch.calls()]
            dialogs += watch.dialogs
            errors += watch.errors
        finally:
            watch.page.close()
    return {
        "ran": ran,
        "dialogs": dialogs,
        "errors": errors,
        "shown": shown,
        "live": live,
        "loads": loads,
    }


FIGURES = {}


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and FIGURES:
        with capture.global_and_fixture_disabled():
            for name, figures in FIGURES.items():
                reporter.write_line(
                    f"\nXSS in the browser, {name}: {figures['places']} pages × 2 loads (with and "
                    f"without the Content-Security-Policy) = {figures['loads']}, "
                    f"{len(figures['shown'])} payloads shown, {len(figures['ran'])} calls of "
                    f"alert/confirm/prompt/print, {len(figures['dialogs'])} dialogs, "
                    f"{len(figures['live'])} live markup in the DOM, "
                    f"{len(figures['errors'])} page errors"
                    + "".join(f"\n  page error: {error[:200]}" for error in figures["errors"])
                )


def _check(name, places, context):
    found = _visit_all(context, places)
    FIGURES[name] = {**found, "places": len(places)}
    assert not found["live"], "live markup in the browser's DOM:\n" + "\n".join(found["live"])
    assert not found["ran"], "payloads ran:\n" + "\n".join(found["ran"])
    assert not found["dialogs"], "dialogs opened:\n" + "\n".join(found["dialogs"])
    return found


def test_the_public_pages_run_no_payload(xss_site, browser_context):
    _url, facts = xss_site
    search = "/search/?q=" + quote(stored(PAYLOADS[5].text))
    found = _check("public pages", [*facts["public"], search], browser_context)
    # Every opinion was on one of the pages opened.
    assert {payload.marker for payload in PAYLOADS} <= found["shown"]


def test_the_admin_pages_run_no_payload(xss_site, browser_context):
    _url, facts = xss_site
    _check("admin pages", facts["admin"], browser_context)


def test_the_same_payloads_unescaped_would_run(browser_context, xss_site):
    """The browser side of the check catches payloads: a page at the site's address holding the
    corpus's markup unescaped, and no policy, records calls and dialogs."""
    url, _facts = xss_site
    markup = "\n".join(stored(p.text) for p in PAYLOADS if p.kind == MARKUP)
    watch = Watch(browser_context, strip_csp=False)
    try:
        watch.page.route(
            f"{url}/xss-unescaped/",
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=f"<!doctype html>{markup}"
            ),
        )
        watch.open("/xss-unescaped/")
        ran = watch.calls() + watch.dialogs
    finally:
        watch.page.close()
    # Handlers that fire by themselves (an image failing, an autofocus, a script) ran.
    assert any("alert(xss0001)" in call for call in ran), ran
    assert any("xss0006" in call for call in ran), ran
    assert any(call.startswith("alert(") and " on " in call for call in watch.dialogs), ran
