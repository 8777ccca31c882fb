"""The supervisors' history centre in a browser.

An editor changes a page in the admin; a supervisor finds the change in the history centre by
filtering the timeline on the editor, opens the entry and reads the difference. An editor
cannot open the history centre. The centre's pages pass the accessibility checks.
"""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.support import COMMUNITY_NAME, DEMO_PASSWORD, ZH, check_axe, ui

EN = "en"
LOCALES = {"zh-CN": ZH, "en-US": EN}
ABOUT = "关于居委会"
# Display names of the demo accounts (home/management/commands/seed_demo.py).
EDITOR_NAME = "王编辑"
HISTORY_URL = re.compile(r"/admin/history/$")


def admin_log_in(page, username, language=ZH):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=ui(language, "Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def admin_log_out(page, display_name, language=ZH):
    """Through the account menu at the foot of the sidebar."""
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name=display_name).click()
    sidebar.get_by_role("button", name=ui(language, "Log out")).click()
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def history_menu_item(page, language=ZH):
    return page.locator("#wagtail-sidebar").get_by_role(
        "link", name=ui(language, "History"), exact=True
    )


def last_line(output):
    return output.strip().splitlines()[-1]


def user_id(manage_shell, username):
    return int(
        last_line(
            manage_shell(
                "from django.contrib.auth import get_user_model; "
                f"print(get_user_model().objects.get(username={username!r}).pk)"
            )
        )
    )


def entry_id(manage_shell, **lookup):
    """The newest history entry matching ``lookup`` (``AuditEntry`` field lookups)."""
    return int(
        last_line(
            manage_shell(
                "from audit.models import AuditEntry; "
                f"print(AuditEntry.objects.filter(**{lookup!r}).values_list('pk', flat=True)[0])"
            )
        )
    )


def edit_the_about_page(page, new_introduction):
    """As the editor: the page tree → the home page's children → "关于居委会" → save a draft.

    Returns the introduction as it was before.
    """
    page.goto("/admin/pages/")
    page.get_by_role(
        "link", name=ui(ZH, "Explore child pages of '%(title)s'", title=COMMUNITY_NAME)
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/$"))
    page.locator("main").get_by_role("link", name=ABOUT, exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))

    introduction = page.get_by_role("textbox", name=ui(ZH, "introduction"), exact=True)
    old_introduction = introduction.input_value()
    assert old_introduction, "the demo's about page has an introduction"
    introduction.fill(new_introduction)
    page.locator("footer").get_by_role("button", name=ui(ZH, "Save draft")).click()

    expect(page.locator(".messages")).to_contain_text(
        ui(ZH, "Page '%(page_title)s' has been updated.", page_title=ABOUT)
    )
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.get_by_role("textbox", name=ui(ZH, "introduction"), exact=True)).to_have_value(
        new_introduction
    )
    return old_introduction


def action_label(action, language=ZH):
    """How the timeline names an action (``audit.models.Action``) in ``language``."""
    from django.utils import translation

    from audit.models import Action

    with translation.override(language):
        return str(Action(action).label)


def filter_timeline_by_user(page, label):
    """Open the filters drawer of the history centre and choose a user (listed by name, with
    the login name: "王编辑 (editor)")."""
    page.get_by_role("button", name=ui(ZH, "Show filters")).click()
    page.get_by_role("button", name=ui(ZH, "User"), exact=True).click()
    page.get_by_role("combobox", name=ui(ZH, "User"), exact=True).select_option(label=label)
    page.keyboard.press("Escape")


def test_supervisor_finds_the_editors_change_and_reads_the_difference(page, manage_shell):
    # No whitespace: the difference then shows the old and the new text as one piece each.
    new_introduction = f"居委会每周六上午增设居民接待日欢迎来访-{uuid.uuid4().hex[:8]}"

    # The editor changes the page and logs out. The history centre is not in their menu.
    admin_log_in(page, "editor")
    expect(page.locator("#wagtail-sidebar")).to_contain_text(EDITOR_NAME)
    expect(history_menu_item(page)).to_have_count(0)
    old_introduction = edit_the_about_page(page, new_introduction)
    assert old_introduction != new_introduction
    admin_log_out(page, EDITOR_NAME)

    # The supervisor opens the history centre from the menu...
    admin_log_in(page, "supervisor")
    history_menu_item(page).click()
    expect(page).to_have_url(HISTORY_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(ui(ZH, "History"))

    # ...narrows the timeline to the editor's entries in the filters drawer...
    filter_timeline_by_user(page, f"{EDITOR_NAME} (editor)")
    editor = user_id(manage_shell, "editor")
    expect(page).to_have_url(re.compile(rf"/admin/history/\?user={editor}$"))
    rows = page.locator("#listing-results table.listing tbody tr")
    users = rows.locator("td:nth-child(3)")  # the columns: #, when, user, action, type, record
    # People by name, not by login name.
    expect(users.first).to_have_text(EDITOR_NAME)
    expect(users.filter(has_not_text=re.compile(rf"^\s*{EDITOR_NAME}\s*$"))).to_have_count(0)

    # ...finds the newest entry for the page (the timeline is newest first) and opens it.
    change = rows.filter(has=page.get_by_role("link", name=ABOUT, exact=True)).first
    # The action with what exactly was done ("修改：编辑"), not the bare kind of change.
    expect(change.locator("td:nth-child(4)")).to_contain_text(action_label("changed"))
    expect(change.locator("td:nth-child(4)")).not_to_have_text(action_label("changed"))
    expect(change.locator("td:nth-child(5)")).to_have_text(ui(ZH, "standard page"))
    change.get_by_role("link", name=ABOUT, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/history/entry/\d+/$"))
    entry_path = urlsplit(page.url).path

    # The entry says who did what to which page, and shows the old and the new introduction.
    entry = page.locator("section.audit-entry")
    expect(entry.get_by_role("heading", level=2)).to_contain_text(ABOUT)
    facts = entry.locator("dl.audit-facts").first
    expect(facts).to_contain_text(f"{EDITOR_NAME} (editor)")
    expect(facts).to_contain_text(action_label("changed"))
    expect(
        entry.get_by_role("heading", name=ui(ZH, "Difference from the previous revision"))
    ).to_be_visible()
    difference = entry.locator("table.audit-diff tbody tr").filter(
        has=page.get_by_role("rowheader", name=ui(ZH, "introduction"), exact=True)
    )
    expect(difference).to_have_count(1)
    expect(difference.locator(".deletion")).to_have_text(old_introduction)
    expect(difference.locator(".addition")).to_have_text(new_introduction)
    expect(difference).to_be_visible()

    # The page's own timeline is one link away and holds the same entry.
    entry.get_by_role("link", name=ui(ZH, "all history of this record")).click()
    expect(page).to_have_url(re.compile(r"/admin/history/\?content_type=\d+&object_id=\d+$"))
    expect(
        page.locator("#listing-results").get_by_role("link", name=ABOUT, exact=True).first
    ).to_have_attribute("href", entry_path)


def test_editor_cannot_open_the_history_centre(page, manage_shell):
    some_entry = entry_id(manage_shell)
    admin_log_in(page, "editor")
    expect(history_menu_item(page)).to_have_count(0)

    refused = ui(ZH, "Sorry, you do not have permission to access this area.")
    for path in (
        "/admin/history/",
        "/admin/history/?user=1",
        "/admin/history/results/",
        "/admin/history/?export=csv",
        f"/admin/history/entry/{some_entry}/",
    ):
        page.goto(path)
        # Sent back to the dashboard with Wagtail's refusal: no timeline, no entry.
        expect(page).to_have_url(re.compile(r"/admin/$"))
        expect(page.locator(".messages")).to_contain_text(refused)
        expect(page.get_by_role("heading", level=1, name=ui(ZH, "History"))).to_have_count(0)
        expect(page.locator("#listing-results")).to_have_count(0)
        expect(page.locator("section.audit-entry")).to_have_count(0)


@pytest.fixture(params=list(LOCALES), ids=["zh", "en"])
def locale(request):
    return request.param


def test_history_centre_passes_the_accessibility_checks(new_context, locale, manage_shell):
    language = LOCALES[locale]
    page = new_context(locale=locale).new_page()
    admin_log_in(page, "supervisor", language)
    editor = user_id(manage_shell, "editor")
    page_entry = entry_id(manage_shell, content_type__model="standardpage", action="changed")
    person_entry = entry_id(manage_shell, content_type__model="person")

    for path in (
        "/admin/history/",
        f"/admin/history/?user={editor}",
        f"/admin/history/entry/{page_entry}/",
        f"/admin/history/entry/{person_entry}/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        if "/entry/" in path:
            expect(page.locator("section.audit-entry")).to_be_visible()
        else:
            expect(page.locator("#listing-results table.listing")).to_be_visible()
        check_axe(page)
