"""A hearing in a browser, from its announcement to its published decision.

The journey of issue 5: an editor writes a hearing in the admin and submits it, a moderator
approves it; residents see it announced; the consultation opens and a resident gives an
opinion; it closes; the editor writes the summary of opinions and the decision, the moderator
approves the page and then publishes the decision with the page's header action; the
resident sees the decision. The server's clock cannot be moved, so ``manage_shell`` moves
the consultation window instead (as a new revision, published, as an edit in the admin
would be).
"""

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, ui

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- Helpers ----------------------------------------------------------------------------


def last_line(output):
    return output.strip().splitlines()[-1]


def admin_time(moment):
    """A time as an editor types it in the admin: local (Shanghai) wall-clock time."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def more_actions(page):
    """Open the footer's menu of further actions (submit, publish, approve...)."""
    page.get_by_role("button", name=ui(ZH, "More actions")).click()


def submit_for_moderation(page):
    more_actions(page)
    page.locator("button[name=action-submit]").click()
    expect(page.locator(".messages")).to_be_visible()


def approve_and_publish(page, page_id):
    """The moderator's "Approve and publish", from the page's edit view."""
    page.goto(f"/admin/pages/{page_id}/edit/")
    more_actions(page)
    page.locator(
        "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    ).click()
    expect(page.locator(".messages")).to_be_visible()


def write_rich_text(page, field, text):
    """Type into the Draftail editor of ``field``."""
    editor = page.locator(f".w-field__input:has(#id_{field}) [role=textbox]")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    editor.press_sequentially(text)
    expect(editor).to_contain_text(text)
    # Draftail writes to the form's hidden input a moment after typing stops: wait for it,
    # or the form may be sent without the last words.
    expect(page.locator(f"#id_{field}")).to_have_value(re.compile(re.escape(text[-8:])))


def state_of(page):
    return page.locator(".hearing-state .state")


def opinion_form(page):
    return page.get_by_role("form", name=ui(ZH, "Give your opinion"))


def move_window(manage_shell, page_id, opens, closes):
    """Move the consultation window (minutes from now), as a published edit by the editor."""
    out = manage_shell(
        "import datetime\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.utils import timezone\n"
        "from hearings.models import HearingPage\n"
        "users = get_user_model().objects\n"
        f"page = HearingPage.objects.get(pk={page_id}).get_latest_revision_as_object()\n"
        "now = timezone.now()\n"
        f"page.consultation_opens = now + datetime.timedelta(minutes={opens})\n"
        f"page.consultation_closes = now + datetime.timedelta(minutes={closes})\n"
        "revision = page.save_revision(user=users.get(username='editor'))\n"
        "revision.publish(user=users.get(username='moderator'))\n"
        f"print(HearingPage.objects.get(pk={page_id}).state)"
    )
    return last_line(out)


# --- The journey ------------------------------------------------------------------------


def test_a_hearing_from_announcement_to_the_published_decision(new_context, manage_shell):
    token = uuid.uuid4().hex[:8]
    title = f"单元门禁改造听证会{token}"
    matter = f"拟将各单元门禁更换为刷卡加人脸识别，费用由公共收益列支。{token}"
    summary = f"共收到意见1条：居民支持更换，希望保留钥匙开门。{token}"
    decision = f"决定更换门禁，同时保留机械钥匙开门方式，明年一月施工。{token}"
    index_id = last_line(
        manage_shell(
            "from hearings.models import HearingIndexPage; print(HearingIndexPage.objects.get().pk)"
        )
    )

    # An editor writes the hearing in the admin: the consultation opens tomorrow.
    editor = new_context().new_page()
    admin_sign_in(editor, "editor")
    editor.goto(f"/admin/pages/add/hearings/hearingpage/{index_id}/")
    now = datetime.datetime.now(SHANGHAI)
    editor.locator("#id_title").fill(title)
    editor.locator("#id_category").select_option("property")
    editor.locator("#id_matter").fill(matter)
    for field, moment in (
        ("starts_at", now + datetime.timedelta(days=3)),
        ("ends_at", now + datetime.timedelta(days=3, hours=2)),
        ("consultation_opens", now + datetime.timedelta(days=1)),
        ("consultation_closes", now + datetime.timedelta(days=2)),
    ):
        editor.locator(f"#id_{field}").fill(admin_time(moment))
    # A click elsewhere closes the date picker, which would cover the footer's buttons.
    editor.locator("#id_venue").click()
    expect(editor.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
    editor.locator("#id_venue").fill("社区党群服务中心二楼会议室")
    submit_for_moderation(editor)
    found = last_line(
        manage_shell(
            "from hearings.models import HearingPage\n"
            f"p = HearingPage.objects.get(title={title!r})\n"
            "print(p.pk, p.live, p.current_workflow_state is not None, sep='|')"
        )
    )
    page_id, live, in_moderation = found.split("|")
    assert (live, in_moderation) == ("False", "True")

    # A moderator approves and publishes it.
    moderator = new_context().new_page()
    admin_sign_in(moderator, "moderator")
    approve_and_publish(moderator, page_id)
    url, state = last_line(
        manage_shell(
            "from hearings.models import HearingPage\n"
            f"p = HearingPage.objects.get(pk={page_id})\n"
            "print(p.url if p.live else '-', p.state, sep='|')"
        )
    ).split("|")
    assert state == "announced"

    # Residents see it announced, with no form yet.
    resident = new_context().new_page()
    resident.goto("/hearings/")
    upcoming = resident.locator("section[aria-labelledby=upcoming-heading]")
    listed = upcoming.get_by_role("listitem").filter(has_text=title)
    expect(listed).to_contain_text(ui(ZH, "announced"))
    listed.get_by_role("link", name=title).click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(title)
    expect(state_of(resident)).to_have_text(ui(ZH, "announced"))
    expect(opinion_form(resident)).to_have_count(0)
    opens_before = ui(ZH, "The consultation opens on %(date)s; opinions are taken from then.")
    expect(resident.locator("#opinions")).to_contain_text(opens_before.split("%(date)s")[0])

    # The consultation opens; a resident gives an opinion.
    assert move_window(manage_shell, page_id, opens=-60, closes=60 * 24) == "open"
    resident.goto(url)
    expect(state_of(resident)).to_have_text(ui(ZH, "consultation open"))
    form = opinion_form(resident)
    form.get_by_label(ui(ZH, "Your name (shown with your opinion)")).fill(f"7号楼居民{token}")
    form.get_by_label(ui(ZH, "Your opinion"), exact=True).fill(
        f"支持更换门禁，希望保留钥匙。{token}"
    )
    with resident.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name=ui(ZH, "Send for moderation")).click()
    assert posted.value.status == 302
    # On the opinion's status page, with its reference, told it awaits moderation.
    expect(resident.get_by_role("status")).to_have_text(
        ui(
            ZH,
            "Thank you. Your opinion has been received and awaits moderation. Keep its "
            "reference: with it you can come back to this page and see what became of your "
            "opinion.",
        )
    )
    expect(resident.locator("code.reference")).to_have_text(
        re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
    )
    # The front page lists it among the open consultations.
    resident.goto("/")
    expect(resident.locator("section.section--consultations")).to_contain_text(title)

    # The moderator approves the opinion; the consultation closes.
    manage_shell(
        "from django.contrib.auth import get_user_model\n"
        "from core.transitions import perform\n"
        "from opinions.models import Opinion\n"
        f"o = Opinion.objects.get(body__contains={token!r})\n"
        "perform(o, 'approve', get_user_model().objects.get(username='moderator'))"
    )
    assert move_window(manage_shell, page_id, opens=-60 * 48, closes=-1) == "closed"
    resident.goto(url)
    expect(state_of(resident)).to_have_text(ui(ZH, "consultation closed"))
    expect(opinion_form(resident)).to_have_count(0)
    expect(resident.locator("#opinions")).to_contain_text(f"支持更换门禁，希望保留钥匙。{token}")
    expect(resident.locator("article")).not_to_contain_text(decision)

    # Not yet written: the moderator is told what still blocks the decision.
    moderator.goto(f"/admin/pages/{page_id}/transition/publish_decision/")
    expect(moderator.locator("main")).to_contain_text(
        ui(ZH, "The summary of opinions has not been written.")
    )
    expect(moderator.get_by_role("button", name=ui(ZH, "Publish the decision"))).to_have_count(0)

    # The editor writes the summary and the decision; the moderator approves the page.
    editor.goto(f"/admin/pages/{page_id}/edit/")
    write_rich_text(editor, "summary", summary)
    write_rich_text(editor, "decision", decision)
    submit_for_moderation(editor)
    approve_and_publish(moderator, page_id)
    resident.goto(url)
    expect(state_of(resident)).to_have_text(ui(ZH, "consultation closed"))
    expect(resident.locator("article")).not_to_contain_text(decision)

    # The moderator publishes the decision from the page's header.
    moderator.goto(f"/admin/pages/{page_id}/edit/")
    moderator.get_by_role("button", name=ui(ZH, "Actions"), exact=True).click()
    moderator.get_by_role("link", name=ui(ZH, "Publish the decision")).click()
    expect(moderator).to_have_url(
        re.compile(rf"/admin/pages/{page_id}/transition/publish_decision/$")
    )
    moderator.get_by_role("button", name=ui(ZH, "Publish the decision")).click()
    expect(moderator).to_have_url(re.compile(rf"/admin/pages/{page_id}/edit/$"))
    expect(moderator.locator(".messages")).to_contain_text(
        ui(ZH, "%(label)s: “%(object)s”.", label=ui(ZH, "Publish the decision"), object=title)
    )

    # The resident sees the decision, what residents said, and when it was published.
    resident.goto(url)
    expect(state_of(resident)).to_have_text(ui(ZH, "decision published"))
    article = resident.locator("article")
    expect(article.get_by_role("heading", name=ui(ZH, "The decision"))).to_be_visible()
    expect(article).to_contain_text(decision)
    expect(article).to_contain_text(summary)
    today = datetime.datetime.now(SHANGHAI)
    expect(article).to_contain_text(f"{today.year}年{today.month}月{today.day}日")

    # Who published it is in the page's history and the audit chain.
    recorded = manage_shell(
        "from audit.models import AuditEntry\n"
        f"e = AuditEntry.objects.get(detail='hearings.publish_decision', object_id='{page_id}')\n"
        "from hearings.models import HearingPage\n"
        f"p = HearingPage.objects.get(pk={page_id})\n"
        "print(e.username, e.action, p.decision_published_by.username, p.live_revision_id == p.latest_revision_id, sep='|')"
    )
    assert last_line(recorded) == "moderator|transition|moderator|True"


# --- Accessibility ----------------------------------------------------------------------


@pytest.fixture
def meeting_urls(manage_shell):
    return last_line(
        manage_shell(
            "from hearings.models import BriefingPage, HearingPage\n"
            "print(HearingPage.objects.live().get(slug='garden-hearing').url,"
            " BriefingPage.objects.live().get(slug='briefing-1').url, sep='|')"
        )
    ).split("|")


def test_briefings_and_hearings_are_accessible(page, meeting_urls):
    hearing_url, briefing_url = meeting_urls

    page.goto("/hearings/")
    expect(page.locator("html")).to_have_attribute("lang", ZH)
    expect(page.locator("li.meeting").first).to_be_visible()
    check_axe(page)

    # A hearing in consultation, with its opinions and the form.
    page.goto(hearing_url)
    expect(state_of(page)).to_have_text(ui(ZH, "consultation open"))
    expect(opinion_form(page)).to_be_visible()
    check_axe(page)

    # A filter typed wrong: the message, and the listing.
    page.goto("/hearings/?year=abc&category=property")
    expect(page.get_by_role("alert")).to_have_text(ui(ZH, "Choose a year from the list."))
    check_axe(page)

    page.goto("/briefings/")
    expect(page.locator("li.meeting").first).to_be_visible()
    check_axe(page)

    # A briefing with "you said, we did".
    page.goto(briefing_url)
    expect(page.locator(".ysws__item").first).to_be_visible()
    check_axe(page)
