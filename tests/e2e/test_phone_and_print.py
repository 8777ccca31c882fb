"""Every public page fits a 390-pixel phone, and the roster and a result print on one clean
page each, the record book for the notice board on clean pages (issue 12), checked in the
browser: the page's laid-out width, and the PDF that chromium prints."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import (
    COMMUNITY_NAME,
    PHONE_VIEWPORT,
    ZH,
    admin_sign_in,
    last_line,
    ui,
)

# A page object of a PDF ("/Type /Page"), not the page tree ("/Type /Pages").
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def public_addresses(manage_shell):
    """One address of each kind of public page the demo has."""
    output = manage_shell(
        "import json\n"
        "from django.urls import reverse\n"
        "from blog.models import BlogPage\n"
        "from duty.models import DutyRecord\n"
        "from hearings.models import HearingPage\n"
        "from opinions.models import Opinion\n"
        "from votes.models import Motion\n"
        "post = BlogPage.objects.live().public().order_by('-first_published_at').first()\n"
        "hearing = HearingPage.objects.live().public().order_by('-first_published_at').first()\n"
        "result = Motion.objects.filter(state='published').order_by('-pk').first()\n"
        "motion = Motion.objects.filter(state='open').order_by('pk').first()\n"
        "request = DutyRecord.objects.exclude(answer='').order_by('-pk').first()\n"
        "opinion = Opinion.objects.order_by('-pk').first()\n"
        "print(json.dumps({'post': post.url, 'hearing': hearing.url,"
        " 'result': f'/votes/{result.pk}/', 'motion': f'/votes/{motion.pk}/',"
        " 'request': f'/duty/request/{request.reference}/',"
        " 'opinion': reverse('opinion_status', args=[opinion.reference])}))"
    )
    return json.loads(last_line(output))


@pytest.fixture(scope="module")
def addresses(e2e_site):
    return public_addresses(e2e_site.shell)


def width(page):
    """How wide the page is laid out, in CSS pixels (wider than the viewport: it scrolls)."""
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_public_page_is_wider_than_a_phone(new_context, addresses):
    phone = new_context(viewport=PHONE_VIEWPORT).new_page()
    paths = [
        "/",
        "/blog/",
        addresses["post"],
        "/briefings/",
        "/hearings/",
        addresses["hearing"],
        "/votes/",
        addresses["result"],
        addresses["motion"],
        "/duty/",
        "/duty/request/",
        addresses["request"],
        "/search/?q=%E5%81%9C%E8%BD%A6",  # 停车
        addresses["opinion"],
        "/volunteers/",
        "/cobuilding/",
        "/honour-roll/",
    ]
    too_wide = {}
    for path in paths:
        response = phone.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        if width(phone) > PHONE_VIEWPORT["width"]:
            too_wide[path] = width(phone)
    assert not too_wide, f"wider than {PHONE_VIEWPORT['width']} px: {too_wide}"

    # The header's search button stays on one line.
    button = phone.locator(".search-form button")
    assert button.bounding_box()["height"] < 2 * line_height(button)
    # The roster's dates, times and names do not break across lines.
    phone.goto("/duty/")
    first = phone.locator(".roster-table tbody tr").first
    for cell in ("th", "td:nth-child(2)", "td:nth-child(3)"):
        located = first.locator(cell)
        assert located.bounding_box()["height"] < 2 * line_height(located), f"{cell} wraps"


def line_height(locator):
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))


def pdf_pages(page):
    """How many pages the browser prints ``page`` on (A4, with its print stylesheet)."""
    return len(PDF_PAGE.findall(page.pdf(format="A4", print_background=True)))


def visible_text_elements(page, text):
    """How many elements holding ``text`` in their own text the page shows as it is now."""
    return page.evaluate(
        """(text) => [...document.querySelectorAll('body *')].filter(el =>
            [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.includes(text))
            && el.getClientRects().length > 0
            && getComputedStyle(el).visibility !== 'hidden').length""",
        text,
    )


@pytest.mark.parametrize("kind", ["roster", "result"])
def test_printing_gives_one_clean_page(new_context, addresses, kind):
    page = new_context().new_page()
    page.goto({"roster": "/duty/", "result": addresses["result"]}[kind])
    request_button = page.locator("main").get_by_role("link", name=ui(ZH, "File a request online"))
    if kind == "roster":
        expect(request_button).to_be_visible()
        expect(page.locator("main form.follow-box")).to_be_visible()

    page.emulate_media(media="print")
    # What the paper shows: the community's name, and nothing to click.
    assert visible_text_elements(page, COMMUNITY_NAME) > 0, "the print names the community"
    assert not request_button.is_visible()
    assert not page.locator("form.follow-box").is_visible()
    assert not page.get_by_role("navigation", name=ui(ZH, "Main")).is_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    if kind == "result":
        # The chart's bars keep their colours on paper.
        colour = page.locator("figure.chart rect.chart__bar").first.get_attribute("fill")
        assert colour and colour.lower() not in ("#000", "#000000", "black")

    pages = pdf_pages(page)
    assert pages == 1, f"the {kind} prints on {pages} pages"


def test_the_record_book_prints_for_the_notice_board(new_context):
    page = new_context().new_page()
    admin_sign_in(page, "cadre")
    page.get_by_role("link", name=ui(ZH, "Record book for the notice board")).click()
    expect(page).to_have_url(re.compile(r"/admin/duty/record-book/print/$"))
    expect(page.locator("table.results-table")).to_be_visible()
    page.emulate_media(media="print")
    # A month's requests may take more than one sheet; each is clean.
    assert visible_text_elements(page, COMMUNITY_NAME) > 0, "the print names the community"
    for n in range(page.locator("main form, main .button").count()):
        expect(page.locator("main form, main .button").nth(n)).to_be_hidden()
    assert pdf_pages(page) >= 1
