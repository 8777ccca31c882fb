"""Automated accessibility checks (axe-core) and the small-screen layout, in both languages."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import DEMO_PASSWORD, admin_sign_in, check_axe, ui

LOCALES = {"zh-CN": "zh-hans", "en-US": "en"}

PAGES = {
    "front page": "/",
    "about": "/about/",
    "search results": "/search/?q=停车",
    # One character over the limit: the search page's error state.
    "search error": "/search/?q=" + "长" * 101,
    "login": "/accounts/login/",
    # Photos through renditions with srcset and alt text, the kind filter, the roll by year.
    "co-building activities": "/cobuilding/",
    "honour roll": "/honour-roll/",
    # The volunteer teams and the service days, as tables of numbers.
    "volunteers": "/volunteers/",
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


# The admin screens staff use most, each as the role that uses it (axe in Chinese, the demo's
# language). The record book is the duty cadres' snippet listing.
ADMIN_SCREENS = {
    "dashboard": ("cadre", "/admin/"),
    "record book": ("cadre", "/admin/snippets/duty/dutyrecord/"),
    "moderation queue": ("moderator", "/admin/snippets/opinions/opinion/?state=pending"),
    "history centre": ("supervisor", "/admin/history/"),
    "people register": ("clerk", "/admin/snippets/people/person/"),
}


@pytest.mark.parametrize("role, path", list(ADMIN_SCREENS.values()), ids=list(ADMIN_SCREENS))
def test_no_serious_violations_on_the_admin_screens_staff_use_most(page, role, path):
    admin_sign_in(page, role)
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator("main")).to_be_visible()
    check_axe(page)


def test_no_serious_violations_on_an_admin_edit_form(page):
    admin_sign_in(page, "cadre")
    page.goto("/admin/snippets/duty/dutyrecord/")
    edit = page.locator("main table a[href*='/edit/']").first
    edit.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/duty/dutyrecord/edit/\d+/$"))
    expect(page.locator("#w-editor-form")).to_be_visible()
    check_axe(page)


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _rgb(css):
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


# The focus outline against what it is drawn on: the dark-red header and menu, and the page.
FOCUS_PLACES = {
    "header": "header a",
    "menu": "nav[aria-label] a",
    "page": "main a",
}
# The colour an element is drawn on: the first ancestor's background that is not transparent.
BACKDROP = """el => {
    for (let node = el.parentElement; node; node = node.parentElement) {
        const colour = getComputedStyle(node).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
}"""


@pytest.mark.parametrize("link", list(FOCUS_PLACES.values()), ids=list(FOCUS_PLACES))
def test_the_focus_outline_stands_out_where_it_is_drawn(page, link):
    """WCAG 2.4.11: a focus indicator has 3:1 against the colours next to it."""
    page.goto("/")
    target = page.locator(link).first
    target.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(target).to_be_focused()
    style = target.evaluate(
        "el => { const s = getComputedStyle(el, null); return [s.outlineStyle, s.outlineColor,"
        " parseFloat(s.outlineWidth)]; }"
    )
    assert style[0] != "none" and style[2] >= 2, style
    behind = target.evaluate(BACKDROP)
    ratio = contrast(_rgb(style[1]), _rgb(behind))
    assert ratio >= 3, f"focus outline {style[1]} on {behind}: {ratio:.1f}:1"
