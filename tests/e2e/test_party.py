"""Party members in a browser: the party-affairs office opens the roster of in-service
members, transfers one out with a reason, and prints the category's contact cards, one to a
sheet; an editor is turned away. The pages pass the accessibility checks."""

import re

from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, last_line, ui

LISTING = "/admin/snippets/party/partymember/"
ROSTER = f"{LISTING}?category=in_service&state=active"


def test_the_office_transfers_a_member_out_and_prints_the_cards(new_context, manage_shell):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "party")

    number, name = last_line(
        manage_shell(
            "from party.models import PartyMember; "
            "m = PartyMember.objects.active().filter(category='in_service')"
            ".select_related('person').first(); "
            "print(m.card_number, m.person.name)"
        )
    ).split(maxsplit=1)
    page.goto(ROSTER)
    check_axe(page)
    row = page.locator("main table tbody tr", has_text=number)
    label = ui(ZH, "Transfer out")
    row.get_by_role("button", name=ui(ZH, "More options for '%(title)s'", title=name)).click()
    page.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(r"/transition/transfer_out/(\?next=.*)?$"))
    expect(page.locator("main")).to_contain_text(number)
    check_axe(page)
    page.get_by_label(ui(ZH, "Transferred out to")).fill("区外某街道党工委")
    page.get_by_label(ui(ZH, "Reason (kept in the history)")).fill("工作调动")
    page.locator("main form").get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(label)
    # Gone from the roster of current members.
    page.goto(ROSTER)
    expect(page.locator("main table")).not_to_contain_text(number)

    # The contact cards of the category: one card per member, each on its own sheet.
    page.goto("/admin/party/cards/?category=in_service")
    cards = page.locator(".card")
    count = int(
        last_line(
            manage_shell(
                "from party.models import PartyMember; "
                "print(PartyMember.objects.active().filter(category='in_service').count())"
            )
        )
    )
    expect(cards).to_have_count(count)
    assert number not in page.locator("main").inner_text()
    assert cards.first.evaluate("card => getComputedStyle(card).breakAfter") == "page"
    check_axe(page)


def test_an_editor_is_turned_away(new_context):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "editor")
    page.goto(LISTING)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/admin/party/cards/")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".card")).to_have_count(0)
