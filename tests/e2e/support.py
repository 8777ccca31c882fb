"""Helpers shared by the browser tests (fixtures live in ``conftest.py``)."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.support import ui

__all__ = ["ui"]

# The language the demo speaks by default, as the catalogue names it.
ZH = "zh-hans"

CHROMIUM = "/usr/bin/chromium"
# The machine has no network but localhost: keep chromium from calling anywhere.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The password set on every demo account of the e2e database.
DEMO_PASSWORD = "e2e-demo-password-4821"
DEFAULT_LOCALE = "zh-CN"

COMMUNITY_NAME = "幸福里社区"
# msgids of the front page's section headings (home.models.HomePage.front_page_sections).
FRONT_PAGE_SECTIONS = (
    "Latest notices",
    "Open consultations",
    "Upcoming meetings",
    "Open votes",
    "This month's duty roster",
)

BLOCKING_IMPACTS = ("serious", "critical")

# A phone's screen, in CSS pixels: no public page may be wider.
PHONE_VIEWPORT = {"width": 390, "height": 844}


def admin_sign_in(page, username, language=ZH, *, reaches_dashboard=True):
    """Sign in to the admin as a demo account and (unless told otherwise) wait for the
    dashboard."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=ui(language, "Sign in")).click()
    if reaches_dashboard:
        expect(page).to_have_url(re.compile(r"/admin/$"))


def nui(language, singular, plural, count, **params):
    """A plural message (``ngettext``) as the site shows it for ``count``; its
    ``%(counter)s`` (as ``{% blocktranslate count counter=... %}`` names it) is filled in."""
    from django.utils import translation

    with translation.override(language):
        text = str(translation.ngettext(singular, plural, count))
    return text % {"counter": count, **params}


def last_line(output):
    """The last line a ``manage_shell`` snippet printed."""
    return output.strip().splitlines()[-1]


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def check_axe(page, impacts=BLOCKING_IMPACTS):
    """Run axe-core on the page as it is now; fail listing every serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in impacts]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                f"[{violation['helpUrl']}]"
            )
            for node in violation["nodes"]:
                target = ", ".join(str(t) for t in node["target"])
                summary = " | ".join(node.get("failureSummary", "").splitlines())
                lines.append(f"    at {target}: {summary}")
                lines.append(f"      {node.get('html', '')[:300]}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results
