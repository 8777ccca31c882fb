"""Cadre training and talks in a browser: the party-affairs office reads the compliance
dashboard and marks a talk's follow-up done from the talks listing; a supervisor reads the
dashboard; an editor is turned away. The pages pass the accessibility checks."""

import re

from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, last_line, ui

TALKS = "/admin/snippets/people/talk/"
DASHBOARD = "/admin/people/compliance/"


def test_the_office_marks_a_follow_up_done(new_context, manage_shell):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "party")

    page.goto(DASHBOARD)
    expect(page.locator("table[data-compliance=training] tbody tr").first).to_be_visible()
    expect(page.locator("table[data-compliance=follow-ups] tbody tr").first).to_be_visible()
    check_axe(page)

    pk, title = last_line(
        manage_shell(
            "from people.models import Talk; "
            "t = Talk.objects.open_follow_ups().exclude(follow_up='').order_by('pk').first(); "
            "print(t.pk, str(t))"
        )
    ).split(maxsplit=1)
    page.goto(f"{TALKS}?follow_up_state=open")
    check_axe(page)
    label = ui(ZH, "Mark the follow-up done")
    # The row's menu, named after the talk (cadre · date).
    page.locator("main table tbody").get_by_role(
        "button", name=ui(ZH, "More options for '%(title)s'", title=title)
    ).click()
    page.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{pk}/transition/complete/(\?next=.*)?$"))
    check_axe(page)
    page.locator("main form").get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text(label)
    state = last_line(
        manage_shell(
            f"from people.models import Talk; t = Talk.objects.get(pk={pk}); "
            "print(t.follow_up_state, t.done_at is not None)"
        )
    )
    assert state == "done True"


def test_a_supervisor_reads_the_dashboard_and_an_editor_is_turned_away(new_context):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "supervisor")
    expect(page.locator("section[aria-labelledby=compliance-heading]")).to_be_visible()
    page.goto(DASHBOARD)
    expect(page.locator("main h1")).to_contain_text(ui(ZH, "Cadre compliance"))

    editor = new_context(locale="zh-CN").new_page()
    admin_sign_in(editor, "editor")
    expect(editor.locator("section[aria-labelledby=compliance-heading]")).to_have_count(0)
    editor.goto(DASHBOARD)
    expect(editor).to_have_url(re.compile(r"/admin/$"))
    editor.goto(TALKS)
    expect(editor).to_have_url(re.compile(r"/admin/$"))
