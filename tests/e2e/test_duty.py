"""The after-hours request journey in a browser.

A resident files a request at /duty/request/ and follows it by its reference; the duty cadre
(demo user ``cadre``) logs in to the admin, opens the record book from the menu (Duty →
Record book), finds the request first in the list, takes it on, edits it to write the answer
and the result, and resolves it; the resident reloads the reference page and sees the answer
and that it is resolved, and never anyone's phone number. The residents' duty pages pass
the accessibility checks.
"""

import datetime
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.support import DEMO_PASSWORD, ZH, check_axe, ui

CADRE_NAME = "周卫东"  # the demo cadre's display name
RECORD_BOOK = "/admin/snippets/duty/dutyrecord/"
PHONE = "13912348765"
# Three groups of four from Crockford's alphabet: K7WP-3MXR-Q2TD.
STATUS_URL = re.compile(r"/duty/request/([0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){2})/$")
PLACE = "7号楼3单元"


def state_label(state, language=ZH):
    """A request state's name as the site shows it (its msgid has the context "request
    state", which ``ui`` does not take)."""
    from django.utils import translation

    from duty.models import DutyRecordState

    with translation.override(language):
        return str(DutyRecordState(state).label)


def last_line(output):
    return output.strip().splitlines()[-1]


def admin_log_in(page, username, language=ZH):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=ui(language, "Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def fill_request(page, name, phone, category_label, text, language=ZH, place=PLACE):
    page.get_by_label(ui(language, "Your name")).fill(name)
    page.get_by_label(ui(language, "Your phone number")).fill(phone)
    page.get_by_label(ui(language, "Building, unit or place")).fill(place)
    page.get_by_label(ui(language, "What is it about?")).select_option(label=category_label)
    page.get_by_label(ui(language, "Your request")).fill(text)


def send_request(page, language=ZH):
    """Press the form's button; return the response to the POST."""
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=ui(language, "Send the request")).click()
    page.wait_for_load_state()
    return posted.value


def take_step(page, row, title, step, language=ZH):
    """From the record book: the row's "More" menu → ``step`` → confirm."""
    label = ui(language, step)
    row.get_by_role(
        "button", name=ui(language, "More options for '%(title)s'", title=title)
    ).click()
    page.get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(
        re.compile(r"/admin/snippets/duty/dutyrecord/\d+/transition/\w+/(\?next=.*)?$")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(label)
    page.locator("main form").get_by_role("button", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(RECORD_BOOK) + r"$"))
    expect(page.locator(".messages")).to_contain_text(
        ui(language, "%(label)s: “%(object)s”.", label=label, object=title)
    )


def test_a_resident_request_is_answered_and_resolved(new_context, manage_shell):
    token = uuid.uuid4().hex[:8]
    request_text = f"楼道灯不亮 {token}，晚上看不见台阶。"
    answer = f"已请物业电工今晚上门更换灯泡 {token}。"
    result = f"楼道灯已修好，居民确认 {token}。"
    category = ui(ZH, "repairs and facilities")

    # A resident on a phone finds the request form from the front page's menu.
    resident = new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    resident.goto("/")
    resident.get_by_role("navigation", name=ui(ZH, "Main")).get_by_role(
        "link", name=ui(ZH, "File a request")
    ).click()
    expect(resident).to_have_url(re.compile(r"/duty/request/$"))
    expect(resident.get_by_role("heading", level=1)).to_have_text(
        ui(ZH, "File an after-hours request")
    )
    fill_request(resident, "张阿姨", PHONE, category, request_text)
    response = send_request(resident)
    assert response.status == 302, f"the request was not accepted: HTTP {response.status}"

    # The confirmation is the request's own page, at its unguessable reference, shown large
    # with a note to write it down.
    expect(resident).to_have_url(re.compile(STATUS_URL.pattern.removesuffix("$") + r"\?filed=1$"))
    reference = STATUS_URL.search(resident.url.split("?")[0]).group(1)
    status_url = resident.url.split("?")[0]
    expect(resident.locator(".reference-card .reference")).to_have_text(reference)
    expect(resident.locator(".reference-card")).to_contain_text(
        ui(
            ZH,
            "Write it down: with this reference you can follow your request from the front "
            "page or the duty roster page, or tell it to the cadre on duty on the phone.",
        )
    )
    expect(resident.locator("main")).to_contain_text(request_text)
    expect(resident.locator("main .state")).to_have_text(state_label("received"))
    expect(resident.locator("main")).to_contain_text(
        ui(ZH, "No answer yet. The cadre on duty will answer you as soon as possible.")
    )
    assert PHONE not in resident.content()
    assert "张阿姨" not in resident.content()
    assert PLACE not in resident.content()

    # Following it later by the reference alone, in a fresh browser: typed into the box on
    # the front page in lower case and without hyphens, first with a typing mistake.
    later = new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    later.goto("/")
    box = later.locator("main form.follow-box")
    mistyped = ("Y" if reference[0] != "Y" else "Z") + reference[1:]
    box.get_by_label(ui(ZH, "Your reference")).fill(mistyped.lower())
    box.get_by_role("button", name=ui(ZH, "Follow")).click()
    expect(later.get_by_role("heading", level=1)).to_have_text(ui(ZH, "Page not found"))
    expect(later.get_by_role("alert")).to_contain_text(
        ui(
            ZH,
            "There is no request with this reference. Please check it against the one you "
            "wrote down and type it again.",
        )
    )
    box = later.locator("main form.follow-box")
    box.get_by_label(ui(ZH, "Your reference")).fill(reference.replace("-", "").lower())
    box.get_by_role("button", name=ui(ZH, "Follow")).click()
    expect(later).to_have_url(re.compile(re.escape(status_url) + "$"))
    expect(later.locator("main")).to_contain_text(request_text)

    # The duty cadre opens the record book from the menu: the request is first.
    cadre = new_context(locale="zh-CN").new_page()
    admin_log_in(cadre, "cadre")
    sidebar = cadre.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name=ui(ZH, "Duty"), exact=True).click()
    sidebar.get_by_role("link", name=ui(ZH, "Record book"), exact=True).click()
    expect(cadre).to_have_url(re.compile(re.escape(RECORD_BOOK) + r"$"))
    rows = cadre.locator("table.listing tbody tr")
    expect(rows.first).to_contain_text(reference)
    # (The record book's status tags start with a capital.)
    expect(rows.first).to_contain_text(re.compile(re.escape(state_label("received")), re.I))
    title = f"{reference} · {category}"

    # It takes the request on...
    take_step(cadre, rows.first, title, "Take on")
    row = rows.filter(has_text=reference)
    expect(row).to_contain_text(ui(ZH, "in progress"))
    expect(row).to_contain_text(CADRE_NAME)

    # ...writes the answer and the result in the record (where it sees the resident's
    # phone, to call back)...
    row.get_by_role("link", name=reference).click()
    expect(cadre).to_have_url(re.compile(r"/admin/snippets/duty/dutyrecord/edit/\d+/$"))
    expect(cadre.locator("#id_resident_contact")).to_have_value(PHONE)
    cadre.locator("#id_answer").fill(answer)
    cadre.locator("#id_result").fill(result)
    cadre.locator("#id_change_reason").fill("电话回访后填写")
    cadre.locator("main form").get_by_role("button", name=ui(ZH, "Save"), exact=True).click()
    expect(cadre).to_have_url(re.compile(re.escape(RECORD_BOOK) + r"$"))

    # While the cadre is still at work on it, the resident does not see the answer yet.
    later.reload()
    expect(later.locator("main .state")).to_have_text(state_label("in_progress"))
    expect(later.locator("main")).not_to_contain_text(answer)

    # ...and resolves it.
    take_step(cadre, rows.filter(has_text=reference), title, "Resolve")
    expect(rows.filter(has_text=reference)).to_contain_text(ui(ZH, "resolved"))

    recorded = manage_shell(
        "from duty.models import DutyRecord\n"
        f"r = DutyRecord.objects.get(reference={reference!r})\n"
        "h = r.history.order_by('-history_date', '-history_id').first()\n"
        "print(r.state, r.channel, r.handled_by.user.username, h.history_user.username, "
        "r.answered_at is not None, r.closed_at is not None, sep='|')"
    )
    assert last_line(recorded) == "resolved|online|cadre|cadre|True|True"

    # The resident reloads the page: the answer, the result, resolved; still no phone.
    resident.reload()
    main = resident.locator("main")
    expect(main).to_contain_text(answer)
    expect(main).to_contain_text(result)
    expect(main.locator(".state")).to_have_text(state_label("resolved"))
    expect(main).to_contain_text(ui(ZH, "Answered"))
    expect(main).not_to_contain_text(
        ui(ZH, "No answer yet. The cadre on duty will answer you as soon as possible.")
    )
    assert PHONE not in resident.content()
    assert PLACE not in resident.content()
    assert resident.url.split("?")[0] == status_url


def test_the_duty_pages_are_accessible(new_context, manage_shell):
    page = new_context(locale="zh-CN").new_page()

    page.goto("/duty/")
    expect(page.locator(".roster-table").first).to_be_visible()
    check_axe(page)

    # The request form, sent empty: its errors.
    page.goto("/duty/request/")
    response = send_request(page)
    assert response.status == 400
    expect(page.get_by_role("alert").first).to_contain_text(
        ui(ZH, "Please correct the marked fields below.")
    )
    expect(page.get_by_text(ui(ZH, "Please tell us your name."))).to_be_visible()
    check_axe(page)

    # A request's page, answered.
    reference = last_line(
        manage_shell(
            "from duty.models import DutyRecord\n"
            "print(DutyRecord.objects.filter(state='resolved').values_list('reference', flat=True)[0])"
        )
    )
    page.goto(f"/duty/request/{reference}/")
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    check_axe(page)


def test_a_supervisor_samples_records_with_the_chooser(new_context, manage_shell):
    """The inspection's records sampled are picked in Wagtail's chooser, which lists the
    record book within the period the form holds; the inspection keeps those ticked."""
    today, reference = last_line(
        manage_shell(
            "import datetime\n"
            "from django.utils import timezone\n"
            "from duty.models import DutyRecord\n"
            "today = timezone.localdate()\n"
            "start = today - datetime.timedelta(days=10)\n"
            "r = DutyRecord.objects.filter(received_at__date__gte=start).latest('received_at')\n"
            "print(today.isoformat(), r.reference, sep='|')"
        )
    ).split("|")
    findings = f"抽查近十日的记录，办理及时 {uuid.uuid4().hex[:8]}。"

    page = new_context(locale="zh-CN").new_page()
    admin_log_in(page, "supervisor")
    page.goto("/admin/snippets/duty/inspection/add/")
    # A new inspection starts on the last thirty days: the chooser is opened on them.
    expect(page.locator("#id_period_start")).to_have_value(
        (datetime.date.fromisoformat(today) - datetime.timedelta(days=30)).isoformat()
    )
    expect(page.locator("#id_period_end")).to_have_value(today)
    page.locator("#id_findings").fill(findings)

    # The chooser opens on the period the form holds, and offers the record.
    page.get_by_role("button", name=ui(ZH, "Choose records sampled")).click()
    modal = page.locator(".modal-content")
    expect(modal.get_by_role("heading", level=1)).to_contain_text(ui(ZH, "Choose records sampled"))
    row = modal.locator("tbody tr", has_text=reference)
    row.locator("input[type=checkbox]").check()
    modal.locator("[data-multiple-choice-submit]").click()
    expect(modal).to_be_hidden()

    chosen = page.locator("[data-records-chooser]")
    expect(chosen).to_contain_text(reference)
    expect(chosen.locator("input[type=checkbox][name=sampled]").first).to_be_checked()
    check_axe(page)

    page.locator("main form").get_by_role("button", name=ui(ZH, "Save"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/duty/inspection/$"))

    kept = manage_shell(
        "from duty.models import Inspection\n"
        f"i = Inspection.objects.get(findings={findings!r})\n"
        "print(*i.sampled.values_list('reference', flat=True), sep=',')"
    )
    assert last_line(kept) == reference
