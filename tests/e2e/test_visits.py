"""Key households and visits in a browser: the duty cadre opens the households not visited
this half year, records a visit with a promise for one of them from its row, and sees the
household leave that list and the open promise counted on the dashboard panel. The pages
pass the accessibility checks."""

import re

from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, last_line, ui

HOUSEHOLDS = "/admin/snippets/visits/household/"
DUE = f"{HOUSEHOLDS}?due=true"
PROMISE = "联系物业更换楼道灯泡"


def test_the_cadre_records_a_visit_with_a_promise(new_context, manage_shell):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "cadre")
    panel = page.locator("section[aria-labelledby=visits-heading]")
    expect(panel).to_be_visible()
    open_before = int(
        last_line(
            manage_shell("from visits.models import Promise; print(Promise.objects.open().count())")
        )
    )
    check_axe(page)

    pk = last_line(
        manage_shell(
            "from visits.models import Household, half_year; "
            "h = Household.objects.not_visited_in(half_year()).order_by('pk').first(); "
            "print(h.pk)"
        )
    )
    page.goto(DUE)
    # The household's row offers "Record a visit".
    record = page.locator(f'main table tbody a[href$="?household={pk}"]')
    expect(record).to_have_text(ui(ZH, "Record a visit"))
    check_axe(page)

    record.click()
    expect(page).to_have_url(re.compile(rf"/admin/snippets/visits/visit/add/\?household={pk}$"))
    check_axe(page)

    page.locator("#id_visitors").select_option(label="周卫东")
    page.locator("#id_circumstances").fill("老人独居，子女每月回来一次，家中楼道灯坏了")
    page.locator("#id_opinions").fill("希望社区定期上门看看")
    page.locator("#id_circumstances_known").check()
    page.locator("#id_promises_made").fill(PROMISE)
    page.locator("main form").get_by_role("button", name=ui(ZH, "Save"), exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/visits/visit/(\?.*)?$"))

    # The household has left the list of those not visited.
    page.goto(DUE)
    expect(page.locator("main")).to_be_visible()
    expect(page.locator(f'main a[href$="?household={pk}"]')).to_have_count(0)
    recorded = last_line(
        manage_shell(
            f"from visits.models import Household, Promise, half_year; "
            f"h = Household.objects.get(pk={pk}); "
            "print(h in Household.objects.not_visited_in(half_year()), "
            f"Promise.objects.open().filter(visit__household=h, description='{PROMISE}').count())"
        )
    )
    assert recorded == "False 1"

    # The dashboard counts the new open promise and leads to it.
    page.goto("/admin/")
    promises = page.locator('[data-visits-panel="promises"] a')
    expect(promises).to_contain_text(str(open_before + 1))
    check_axe(page)
    promises.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/visits/promise/\?state=open$"))
    expect(page.locator("main table")).to_contain_text(PROMISE)
    check_axe(page)
