"""Automated accessibility checks (axe-core) and the small-screen layout, in both languages."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import DEMO_PASSWORD, check_axe, ui

LOCALES = {"zh-CN": "zh-hans", "en-US": "en"}

PAGES = {
    "front page": "/",
    "about": "/about/",
    "search results": "/search/?q=停车",
    # One character over the limit: the search page's error state.
    "search error": "/search/?q=" + "长" * 101,
    "login": "/accounts/login/",
    "not found": "/no-such-page-here/",
}


@pytest.fixture(params=list(LOCALES), ids=["zh", "en"])
def locale(request):
    return request.param


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_no_serious_violations(new_context, locale, path):
    page = new_context(locale=locale).new_page()
    response = page.goto(path)
    assert response.status == (404 if path == PAGES["not found"] else 200)
    expect(page.locator("html")).to_have_attribute("lang", LOCALES[locale])
    if path == PAGES["search error"]:
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.locator("#search-query")).to_have_attribute("aria-invalid", "true")
    check_axe(page)


def test_login_error_and_signed_in_states(new_context, locale):
    language = LOCALES[locale]
    page = new_context(locale=locale).new_page()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("rep")
    page.locator("#id_password").fill("wrong-password")
    page.locator("main form").get_by_role("button", name=ui(language, "Log in")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    check_axe(page)

    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=ui(language, "Log in")).click()
    expect(
        page.locator("header").get_by_role("button", name=ui(language, "Log out"))
    ).to_be_visible()
    check_axe(page)


def test_skip_link_leads_to_the_content(page):
    page.goto("/about/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=ui("zh-hans", "Skip to main content"))
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize("path", ["/", "/about/", "/search/?q=停车", "/accounts/login/"])
def test_small_screen(new_context, locale, path):
    width = 375
    page = new_context(locale=locale, viewport={"width": width, "height": 700}).new_page()
    page.goto(path)

    nav = page.get_by_role("navigation", name=ui(LOCALES[locale], "Main"))
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    assert links.count() >= 4
    for index in range(links.count()):
        link = links.nth(index)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (
            f"menu link {link.inner_text()!r} sticks out of the screen: {box}"
        )
    expect(page.locator("header form[role=search]").get_by_role("searchbox")).to_be_visible()

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{path} scrolls sideways: {scroll_width}px wide"
