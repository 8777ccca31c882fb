"""Residents' opinions in a browser: sent, moderated in the admin, then shown, as text only.

The journey of issue 4: a resident sends an opinion with markup and a phone number in it; it
waits for a moderator, who approves it in the admin queue with a reason; then the resident
sees it, with the markup shown as the characters typed and the phone number nowhere.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, ui

LOCALES = {"zh-CN": "zh-hans", "en-US": "en"}

OPEN_TOPIC = "/blog/parking-2026/"
CLOSED_TOPIC = "/blog/waste-sorting-review/"
QUEUE = "/admin/snippets/opinions/opinion/"

MARKUP = "<b>粗体</b>"
SCRIPT = "<script>window.__x=1</script>"
PHONE = "13900007777"


# --- What the resident sees -------------------------------------------------------------


def opinion_form(page, language):
    return page.get_by_role("form", name=ui(language, "Give your opinion"))


def send_button(page, language):
    return page.get_by_role("button", name=ui(language, "Send for moderation"))


def fill_opinion(page, language, name, body, contact=""):
    form = opinion_form(page, language)
    form.get_by_label(ui(language, "Your name (shown with your opinion)")).fill(name)
    form.get_by_label(ui(language, "Phone or email (optional, never published)")).fill(contact)
    form.get_by_label(ui(language, "Your opinion"), exact=True).fill(body)


def send(page, language):
    """Press the form's button; return the response to the POST."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        send_button(page, language).click()
    page.wait_for_load_state()
    return posted.value


def published_opinions(page):
    return page.locator("#opinions").get_by_role("listitem")


def closed_pattern(language):
    """The closed topic's message, whatever its closing date."""
    before, after = ui(
        language,
        "Opinions on this topic closed on %(date)s. Thank you to everyone who took part.",
    ).split("%(date)s")
    return re.compile(re.escape(before) + r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}" + re.escape(after))


def opinion_status(language, label):
    """An opinion's state as its status page says it (``opinions.models.PublicState``)."""
    from django.utils import translation

    with translation.override(language):
        return translation.pgettext("opinion status", label)


# --- What the moderator sees ------------------------------------------------------------


def title_in_admin(name, body):
    """How the admin names an opinion (``str(opinion)``): its author and the excerpt."""
    from django.utils.text import Truncator

    return f"{name}: {Truncator(body).chars(40)}"


# --- The journey ------------------------------------------------------------------------


def test_opinion_is_moderated_before_it_is_shown(new_context, manage_shell):
    token = uuid.uuid4().hex[:8]
    name = f"东门住户{token}"
    body = f"东门增设电动车充电桩 {token}：{MARKUP}{SCRIPT}\n晚上十点后请关闭充电。"
    reason = f"意见具体，可以公开 {token}"

    # A resident sends an opinion on an open topic.
    resident = new_context(locale="zh-CN").new_page()
    resident.goto(OPEN_TOPIC)
    expect(resident.locator("html")).to_have_attribute("lang", ZH)
    fill_opinion(resident, ZH, name, body, contact=PHONE)
    response = send(resident, ZH)
    assert response.status == 302, f"the opinion was not accepted: HTTP {response.status}"

    # On the opinion's own page: its reference, and that it awaits moderation.
    expect(resident).to_have_url(
        re.compile(r"/opinions/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/\?sent=1(#opinions)?$")
    )
    expect(resident.get_by_role("status")).to_have_text(
        ui(
            ZH,
            "Thank you. Your opinion has been received and awaits moderation. Keep its "
            "reference: with it you can come back to this page and see what became of your "
            "opinion.",
        )
    )
    expect(resident.locator("#opinion-state")).to_have_text(
        opinion_status(ZH, "Awaiting moderation")
    )
    reference = resident.locator("code.reference").inner_text()
    expect(resident.locator("body")).not_to_contain_text(PHONE)
    expect(resident.locator("body")).not_to_contain_text(name)
    # The page it is on: the approved demo opinions, not this one yet.
    resident.goto(OPEN_TOPIC)
    expect(published_opinions(resident).first).to_be_visible()
    expect(resident.locator("#opinions")).not_to_contain_text(token)
    expect(resident.locator("body")).not_to_contain_text(PHONE)

    # A moderator finds it through the dashboard's count of what waits.
    moderator = new_context(locale="zh-CN").new_page()
    admin_sign_in(moderator, "moderator")
    panel = moderator.get_by_role("region", name=ui(ZH, "Residents' opinions"))
    panel.get_by_role("link").click()
    expect(moderator).to_have_url(re.compile(re.escape(QUEUE) + r"\?state=pending$"))
    row = moderator.get_by_role("row").filter(has_text=token)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ui(ZH, "awaiting moderation"))
    # The excerpt in the queue is text too.
    expect(row).to_contain_text(MARKUP)
    expect(row.locator("b, script")).to_have_count(0)

    # Its "More" menu leads to the approval, which asks for a reason.
    title = title_in_admin(name, body)
    row.get_by_role("button", name=ui(ZH, "More options for '%(title)s'", title=title)).click()
    approve = ui(ZH, "Approve")
    moderator.get_by_role("link", name=approve, exact=True).click()
    expect(moderator).to_have_url(re.compile(r"/opinions/opinion/\d+/transition/approve/\?next="))
    # The heading names the step, then the opinion it applies to.
    expect(moderator.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^\s*{re.escape(approve)}: {re.escape(title)}")
    )
    expect(moderator.locator("blockquote")).to_contain_text(MARKUP)
    assert moderator.evaluate("typeof window.__x") == "undefined"
    reason_field = moderator.get_by_label(ui(ZH, "Reason (optional, kept in the history)"))
    reason_field.fill(reason)
    moderator.locator("form", has=reason_field).get_by_role(
        "button", name=approve, exact=True
    ).click()

    # Back in the queue, still filtered to what waits, told it is done; the opinion is
    # approved (shown with the filter off).
    expect(moderator).to_have_url(re.compile(re.escape(QUEUE) + r"\?state=pending$"))
    expect(moderator.locator(".messages")).to_contain_text(
        ui(ZH, "%(label)s: “%(object)s”.", label=approve, object=title)
    )
    expect(moderator.get_by_role("row").filter(has_text=token)).to_have_count(0)
    moderator.goto(QUEUE)
    expect(moderator.get_by_role("row").filter(has_text=token)).to_contain_text(
        re.compile(re.escape(ui(ZH, "approved")), re.IGNORECASE)
    )
    # Who approved it, and why, is in its history.
    recorded = manage_shell(
        "from opinions.models import Opinion\n"
        f"o = Opinion.objects.get(body__contains={token!r})\n"
        "h = o.history.order_by('-history_date', '-history_id').first()\n"
        "print(o.state, o.moderated_by.username, h.history_user.username, "
        "h.history_change_reason, sep='|')"
    )
    assert recorded.strip().splitlines()[-1] == f"approved|moderator|moderator|{reason}"

    # The resident follows the reference, typed in lower case without hyphens, and is told
    # it is published; from there to the page, where it stands newest first, as typed.
    resident.goto("/")
    resident.goto(f"/opinions/follow/?reference={reference.replace('-', '').lower()}")
    expect(resident.locator("#opinion-state")).to_have_text(opinion_status(ZH, "Published"))
    resident.get_by_role("link", name=ui(ZH, "See it among the page's opinions")).click()
    newest = published_opinions(resident).first
    expect(newest).to_contain_text(name)
    expect(newest).to_contain_text(token)
    expect(newest.get_by_text(MARKUP)).to_be_visible()
    expect(newest).to_contain_text(SCRIPT)
    expect(newest).to_contain_text("晚上十点后请关闭充电。")
    # Nothing in it became markup, and its script never ran.
    expect(resident.locator("b").filter(has_text="粗体")).to_have_count(0)
    expect(newest.locator("b, script")).to_have_count(0)
    assert resident.evaluate("typeof window.__x") == "undefined"
    # The contact is personal data: not on the page, not in its source.
    expect(resident.locator("body")).not_to_contain_text(PHONE)
    assert PHONE not in resident.content()


# --- Without JavaScript -----------------------------------------------------------------


def test_errors_and_closed_topic_without_javascript(new_context, manage_shell):
    from django.conf import settings

    page = new_context(java_script_enabled=False).new_page()
    page.set_content("<p id=probe>off</p><script>probe.textContent = 'on'</script>")
    expect(page.locator("#probe")).to_have_text("off")

    # An empty form comes back with a message for each field that needs it.
    page.goto(OPEN_TOPIC)
    response = send(page, ZH)
    assert response.status == 400
    expect(page).to_have_url(re.compile(re.escape(OPEN_TOPIC) + r"#opinions$"))
    expect(page.get_by_role("alert")).to_have_text(
        ui(ZH, "Please correct the marked fields below.")
    )
    form = opinion_form(page, ZH)
    name = form.get_by_label(ui(ZH, "Your name (shown with your opinion)"))
    body = form.get_by_label(ui(ZH, "Your opinion"), exact=True)
    contact = form.get_by_label(ui(ZH, "Phone or email (optional, never published)"))
    name_error = ui(ZH, "Please tell us what name to show with your opinion.")
    body_error = ui(ZH, "Please write your opinion before sending it.")
    expect(form.get_by_text(name_error)).to_be_visible()
    expect(form.get_by_text(body_error)).to_be_visible()
    # Each message belongs to its field, after the field's help, for screen readers too.
    limit = ui(ZH, "Up to %(limit)d characters.", limit=settings.OPINION_MAX_LENGTH)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(name_error)
    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_have_accessible_description(f"{limit} {body_error}")
    expect(contact).not_to_have_attribute("aria-invalid", "true")
    expect(contact).to_have_accessible_description(
        ui(ZH, "Personal data: seen only by moderators, never published.")
    )

    # Only spaces are empty too; what the resident did fill in is kept.
    token = uuid.uuid4().hex[:8]
    fill_opinion(page, ZH, f"无脚本居民{token}", "   \n  ")
    assert send(page, ZH).status == 400
    expect(form.get_by_text(body_error)).to_be_visible()
    expect(form.get_by_text(name_error)).to_have_count(0)
    expect(name).to_have_value(f"无脚本居民{token}")

    # A closed topic shows no form and says it is closed.
    page.goto(CLOSED_TOPIC)
    opinions = page.locator("#opinions")
    expect(opinions).to_contain_text(closed_pattern(ZH))
    expect(opinion_form(page, ZH)).to_have_count(0)
    expect(send_button(page, ZH)).to_have_count(0)

    # A form opened before the topic closed is refused when sent, with the same message.
    page.goto(OPEN_TOPIC)
    fill_opinion(page, ZH, f"迟到居民{token}", f"我的意见来晚了 {token}")
    opinion_form(page, ZH).evaluate(
        "(form, action) => form.setAttribute('action', action)", CLOSED_TOPIC + "#opinions"
    )
    response = send(page, ZH)
    assert response.status == 409
    expect(page).to_have_url(re.compile(re.escape(CLOSED_TOPIC) + r"#opinions$"))
    expect(page.get_by_role("alert")).to_have_text(closed_pattern(ZH))
    expect(opinion_form(page, ZH)).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(token)
    kept = manage_shell(
        f"from opinions.models import Opinion; print(Opinion.objects.filter(body__contains={token!r}).count())"
    )
    assert kept.strip().splitlines()[-1] == "0"


# --- Accessibility ----------------------------------------------------------------------


@pytest.fixture(params=list(LOCALES), ids=["zh", "en"])
def locale(request):
    return request.param


def test_blog_and_opinions_are_accessible(new_context, manage_shell, locale):
    language = LOCALES[locale]
    page = new_context(locale=locale).new_page()

    page.goto("/blog/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=ui(language, "Notice board"))).to_be_visible()
    check_axe(page)

    # An open topic, with its opinions and the form.
    page.goto(OPEN_TOPIC)
    expect(opinion_form(page, language)).to_be_visible()
    expect(published_opinions(page).first).to_be_visible()
    check_axe(page)

    # The form sent back with its errors.
    assert send(page, language).status == 400
    expect(page.get_by_role("alert")).to_be_visible()
    expect(opinion_form(page, language).locator("[aria-invalid=true]")).to_have_count(2)
    check_axe(page)

    # An opinion's status page, and a closed topic.
    reference = (
        manage_shell(
            "from opinions.models import Opinion\n"
            "print(Opinion.objects.exclude(response='').filter(state='promoted')[0].reference)"
        )
        .strip()
        .splitlines()[-1]
    )
    page.goto(f"/opinions/{reference}/?sent=1")
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator(".opinion-response")).to_be_visible()
    check_axe(page)
    page.goto(CLOSED_TOPIC)
    expect(page.locator("#opinions")).to_contain_text(closed_pattern(language))
    check_axe(page)
