"""Helpers shared by the browser tests (fixtures live in ``conftest.py``)."""

import os

import pytest

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


def in_ci():
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def ui(language, message, **params):
    """``message`` as the site shows it in ``language`` ("zh-hans" or "en").

    Read from the same catalogue the site uses, so the tests follow the translations instead
    of copying them.
    """
    from django.utils import translation

    with translation.override(language):
        text = str(translation.gettext(message))
    return text % params if params else text


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
