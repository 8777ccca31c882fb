"""The year-end appraisal in a browser: the party-affairs office opens an evaluated
appraisal, records the committee's decision through the step's form with its reason, and
finds the decision on the printable appraisal sheet, which prints without the admin's
buttons, a year's sheets each on pages of their own. The pages pass the accessibility
checks."""

import re

from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, last_line, ui
from tests.e2e.test_phone_and_print import pdf_pages

LISTING = "/admin/snippets/appraisals/appraisal/"
REASON = "民主测评满意率较高，经社区党委会议研究，给予二等奖金，继续留任。"


def evaluated_appraisal(manage_shell):
    """The demo's evaluated appraisal (not yet decided): its pk, year, cadre and title (as
    the Chinese admin names it)."""
    output = manage_shell(
        "from django.utils import translation\n"
        "from appraisals.models import Appraisal\n"
        "a = Appraisal.objects.filter(state='evaluated').order_by('pk').first()\n"
        "with translation.override('zh-hans'):\n"
        "    print(a.pk, a.year, a.cadre.name, str(a), sep='|')\n"
    )
    pk, year, cadre, title = last_line(output).split("|")
    return int(pk), int(year), cadre, title


def test_the_office_records_a_decision_and_prints_the_sheet(new_context, manage_shell):
    pk, year, cadre, title = evaluated_appraisal(manage_shell)
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "party")

    # The evaluated appraisal, opened from the listing.
    page.goto(f"{LISTING}?state=evaluated")
    check_axe(page)
    page.goto(f"{LISTING}inspect/{pk}/")
    expect(page.locator("main")).to_contain_text(cadre)
    check_axe(page)

    # The decision, through the step offered in the row's menu.
    page.goto(f"{LISTING}?state=evaluated")
    label = ui(ZH, "Record the decision")
    page.locator("main table tbody").get_by_role(
        "button", name=ui(ZH, "More options for '%(title)s'", title=title)
    ).click()
    page.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{pk}/transition/decide/(\?next=.*)?$"))
    check_axe(page)
    form = page.locator("main form")
    form.locator("input[name=advanced][value=no]").check()
    form.locator("select[name=bonus_grade]").select_option("second")
    form.locator("select[name=appointment]").select_option("kept")
    form.locator("textarea[name=reason]").fill(REASON)
    form.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(label)
    state = last_line(
        manage_shell(
            f"from appraisals.models import Appraisal; a = Appraisal.objects.get(pk={pk}); "
            "print(a.state, a.bonus_grade, a.decided_by.username, "
            "a.decided_by.get_full_name() or a.decided_by.username)"
        )
    )
    assert state.split()[:3] == ["decided", "second", "party"]
    office_name = state.split(maxsplit=3)[3]

    # The sheet, from the inspect view: the decision with its reason, who took it.
    page.goto(f"{LISTING}inspect/{pk}/")
    page.locator("main").get_by_role("link", name=ui(ZH, "Appraisal sheet"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/appraisals/{pk}/sheet/$"))
    decision = page.locator("[data-part=decision]")
    expect(page.locator("[data-field=cadre]")).to_have_text(cadre)
    expect(decision.locator("[data-field=reason]")).to_have_text(REASON)
    expect(decision.locator("[data-field=bonus]")).to_have_text(ui(ZH, "Second-grade bonus"))
    expect(decision.locator("[data-field=decided]")).to_contain_text(office_name)
    expect(page.locator("[data-part=evaluation] [data-field=ballots]")).not_to_be_empty()
    check_axe(page)

    # On paper: the sheet and its signature lines, no links back to the admin.
    page.emulate_media(media="print")
    expect(page.locator("nav.no-print")).to_be_hidden()
    expect(page.locator("article.sheet .sheet__signatures")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_be_visible()
    pages = pdf_pages(page)
    assert pages == 1, f"one appraisal's sheet prints on {pages} pages"

    # Every sheet of the year, each on pages of its own.
    page.emulate_media(media="screen")
    page.goto(f"/admin/appraisals/sheets/?year={year}")
    sheets = page.locator("article.sheet").count()
    assert sheets >= 2
    check_axe(page)
    page.emulate_media(media="print")
    assert pdf_pages(page) >= sheets
