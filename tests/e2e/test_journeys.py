"""Each role's journey walked as the person would (issue 12): from the front page or the
admin dashboard, by clicking only, in Chinese, reading what the site says at each step.

``page.goto`` opens the first page only ("/" or "/admin/"); everything after it is a click
on a link, a button or a menu. What a journey needs beforehand and is not part of it (a
draft motion, an open one) is made with ``manage_shell``, as a clerk's earlier work would
have left it.
"""

import csv
import io
import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.support import (
    COMMUNITY_NAME,
    DEMO_PASSWORD,
    PHONE_VIEWPORT,
    ZH,
    admin_sign_in,
    check_axe,
    last_line,
    nui,
    ui,
)

LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
# Three groups of four, from an alphabet without I, L, O and U.
GROUPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){2}$")
REQUEST_STATUS = re.compile(r"/duty/request/([0-9A-Z-]+)/(\?.*)?$")
OPINION_STATUS = re.compile(r"/opinions/([0-9A-Z-]+)/(\?.*)?$")
OPEN_TOPIC = "小区停车难，大家怎么看？"  # blog.demo: a topic open for opinions
CADRE_NAME = "周卫东"  # the demo cadre
REP_NAME = "陈国强"  # the demo representative


def request_state(state):
    """A request state as the site names it (a msgid with the context "request state")."""
    from django.utils import translation

    from duty.models import DutyRecordState

    with translation.override(ZH):
        return str(DutyRecordState(state).label)


def opinion_state(state):
    from django.utils import translation

    from opinions.models import PublicState

    with translation.override(ZH):
        return str(PublicState(state).label)


def main_menu(page):
    return page.get_by_role("navigation", name=ui(ZH, "Main"))


def menu_link(page, msgid):
    return main_menu(page).get_by_role("link", name=ui(ZH, msgid), exact=True)


def row_step(page, row, title, step):
    """In an admin listing: the row's "More options" menu → ``step`` → its confirmation."""
    row.get_by_role("button", name=ui(ZH, "More options for '%(title)s'", title=title)).click()
    page.get_by_role("link", name=ui(ZH, step), exact=True).click()
    expect(page).to_have_url(re.compile(r"/transition/\w+/(\?next=.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui(ZH, step))


def confirm_step(page, step, title):
    page.locator("main form").get_by_role("button", name=ui(ZH, step), exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        ui(ZH, "%(label)s: “%(object)s”.", label=ui(ZH, step), object=title)
    )


# --- Resident, on a phone ---------------------------------------------------------------


def test_resident_on_a_phone_files_a_request_and_follows_it(new_context):
    token = uuid.uuid4().hex[:8]
    text = f"5号楼楼道灯坏了 {token}，晚上很暗。"
    resident = new_context(viewport=PHONE_VIEWPORT).new_page()

    # The front page: the menu leads to the request form.
    resident.goto("/")
    expect(resident.get_by_role("heading", level=1)).to_have_text(COMMUNITY_NAME)
    menu_link(resident, "File a request").click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(
        ui(ZH, "File an after-hours request")
    )
    resident.get_by_label(ui(ZH, "Your name")).fill("李阿姨")
    resident.get_by_label(ui(ZH, "Your phone number")).fill("13812340000")
    resident.get_by_label(ui(ZH, "Building, unit or place")).fill("5号楼2单元")
    resident.get_by_label(ui(ZH, "What is it about?")).select_option(
        label=ui(ZH, "repairs and facilities")
    )
    resident.get_by_label(ui(ZH, "Your request")).fill(text)
    resident.get_by_role("button", name=ui(ZH, "Send the request")).click()

    # The confirmation: the reference in groups, and the request as received.
    expect(resident).to_have_url(REQUEST_STATUS)
    reference = resident.locator(".reference-card .reference").inner_text().strip()
    assert GROUPED.match(reference), f"not a grouped reference: {reference!r}"
    expect(resident.locator("main .state")).to_have_text(request_state("received"))
    expect(resident.locator("main .state")).to_have_text("已收到")
    expect(resident.locator("main")).to_contain_text(text)

    # Later: back to the front page by the community's name, the reference typed in lower
    # case into the "follow my request" box.
    resident.locator("header").get_by_role("link", name=COMMUNITY_NAME).click()
    box = resident.locator("main form.follow-box")
    expect(box.get_by_role("heading", name=ui(ZH, "Follow my request"))).to_be_visible()
    box.get_by_label(ui(ZH, "Your reference")).fill(reference.lower())
    box.get_by_role("button", name=ui(ZH, "Follow")).click()
    expect(resident).to_have_url(re.compile(rf"/duty/request/{re.escape(reference)}/$"))
    expect(resident.locator("main .state")).to_have_text("已收到")
    expect(resident.locator("main")).to_contain_text(text)
    expect(resident.locator("main")).to_contain_text(
        ui(ZH, "No answer yet. The cadre on duty will answer you as soon as possible.")
    )


def test_resident_on_a_phone_gives_an_opinion_and_follows_it(new_context):
    token = uuid.uuid4().hex[:8]
    body = f"建议夜间开放地下车库 {token}。"
    resident = new_context(viewport=PHONE_VIEWPORT).new_page()

    resident.goto("/")
    main_menu(resident).get_by_role("link", name="社区博客", exact=True).click()
    resident.locator("main").get_by_role("link", name=OPEN_TOPIC).first.click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(OPEN_TOPIC)
    form = resident.get_by_role("form", name=ui(ZH, "Give your opinion"))
    form.get_by_label(ui(ZH, "Your name (shown with your opinion)")).fill(f"车主{token}")
    form.get_by_label(ui(ZH, "Your opinion"), exact=True).fill(body)
    form.get_by_role("button", name=ui(ZH, "Send for moderation")).click()

    # The opinion's own page: its reference, and that it waits for a moderator.
    expect(resident).to_have_url(OPINION_STATUS)
    reference = resident.locator("main .reference").first.inner_text().strip()
    assert GROUPED.match(reference), f"not a grouped reference: {reference!r}"
    expect(resident.get_by_role("status")).to_contain_text(
        ui(
            ZH,
            "Thank you. Your opinion has been received and awaits moderation. Keep its "
            "reference: with it you can come back to this page and see what became of your "
            "opinion.",
        )
    )
    # The address the reference leads to, followed as the resident would come back later.
    resident.locator("main").get_by_role("link", name=re.compile(re.escape(reference))).click()
    expect(resident).to_have_url(re.compile(rf"/opinions/{re.escape(reference)}/$"))
    expect(resident.locator("#opinion-state")).to_have_text(opinion_state("pending"))
    expect(resident.locator("#opinion-state")).to_have_text("待审核")
    expect(resident.locator("main")).to_contain_text(
        ui(
            ZH,
            "A moderator has not read your opinion yet. It will appear on the page once it "
            "is approved.",
        )
    )
    expect(resident.locator("main blockquote")).to_contain_text(body)
    expect(
        resident.locator("main").get_by_role("link", name=OPEN_TOPIC, exact=True)
    ).to_be_visible()
    check_axe(resident)


# --- Representative ---------------------------------------------------------------------


def make_motion(manage_shell, title, *, open_it):
    """A motion (for, against, abstain) as the clerk left it: a draft, or opened."""
    output = manage_shell(
        "import json\n"
        "from django.contrib.auth import get_user_model\n"
        "from core.transitions import perform\n"
        "from votes.models import Motion, MotionKind, Rule\n"
        f"m = Motion.objects.create(kind=MotionKind.MOTION, title={title!r}, rule=Rule.SIMPLE,"
        " quorum_percent=50, description='提请居民代表会议表决。')\n"
        + (
            "perform(m, 'open', get_user_model().objects.get(username='clerk'))\n"
            if open_it
            else ""
        )
        + "print(json.dumps({'pk': m.pk, 'eligible': m.eligible_people().count(),"
        " 'options': [o.label for o in m.options.order_by('sort_order', 'pk')]}))"
    )
    return json.loads(last_line(output))


def test_representative_votes_from_the_menu(new_context, manage_shell):
    title = f"关于楼道加装感应灯的表决（{uuid.uuid4().hex[:6]}）"
    motion = make_motion(manage_shell, title, open_it=True)
    choice = motion["options"][0]

    rep = new_context().new_page()
    rep.goto("/")
    rep.locator("header").get_by_role("link", name=ui(ZH, "Representatives' login")).click()
    rep.locator("#id_username").fill("rep")
    rep.locator("#id_password").fill(DEMO_PASSWORD)
    rep.locator("main form").get_by_role("button", name=ui(ZH, "Log in")).click()
    expect(rep.locator("header .account")).to_contain_text(
        ui(ZH, "Signed in as %(name)s", name=REP_NAME)
    )

    # 表决和结果 from the menu; the open motion among those open now.
    link = menu_link(rep, "Votes and results")
    expect(link).to_have_text("表决和结果")
    link.click()
    expect(rep.get_by_role("heading", level=1)).to_have_text(
        ui(ZH, "Votes of the representative meeting")
    )
    rep.get_by_role("region", name=ui(ZH, "Open now")).get_by_role("link", name=title).click()
    expect(rep.get_by_role("heading", level=1)).to_have_text(title)
    expect(rep.locator("main dl.facts").first).to_contain_text(ui(ZH, "Voting closes"))

    # The choice, then the step that confirms it.
    ballot = rep.locator("main form").filter(has=rep.locator("input[name=option]"))
    ballot.get_by_label(choice, exact=True).check()
    ballot.get_by_role("button", name=ui(ZH, "Cast my ballot")).click()
    confirm = rep.locator("form.ballot--confirm")
    expect(confirm.locator(".ballot__choice")).to_have_text(
        ui(ZH, "You chose: %(option)s.", option=choice)
    )
    confirm.get_by_role("button", name=ui(ZH, "Confirm my ballot")).click()
    expect(rep.locator(".messages")).to_contain_text(
        ui(ZH, "Your ballot is recorded: %(option)s. Thank you for voting.", option=choice)
    )

    # Back to the list by the menu: the motion is marked as voted.
    menu_link(rep, "Votes and results").click()
    item = rep.get_by_role("region", name=ui(ZH, "Open now")).locator(
        "li", has=rep.get_by_role("link", name=title)
    )
    expect(item.locator(".voted")).to_have_text(ui(ZH, "voted"))


# --- Editor and moderator ---------------------------------------------------------------


def test_editor_submits_a_topic_and_the_moderator_approves_it(new_context):
    title = f"楼顶晾晒区开放时间征求意见 {uuid.uuid4().hex[:6]}"
    introduction = "居委会拟在6号楼楼顶设置晾晒区，请居民对开放时间发表意见。"

    # The editor: dashboard → the site's pages → the blog → a new page in it.
    editor = new_context().new_page()
    admin_sign_in(editor, "editor")
    editor.locator("main").get_by_role("link", name=re.compile(r"\d+\s*个页面")).click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text(COMMUNITY_NAME)
    editor.get_by_role(
        "link", name=ui(ZH, "Explore child pages of '%(title)s'", title="社区博客")
    ).click()
    expect(editor.get_by_role("heading", level=1)).to_contain_text("社区博客")
    editor.get_by_role("link", name=ui(ZH, "Add child page")).first.click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/add/blog/blogpage/\d+/$"))
    editor.get_by_role("textbox", name=re.compile(ui(ZH, "title"), re.I)).first.fill(title)
    editor.get_by_role("textbox", name=ui(ZH, "introduction"), exact=True).fill(introduction)

    # Submitted for review from the footer's further actions.
    editor.get_by_role("button", name=ui(ZH, "More actions")).click()
    submit = editor.locator("button[name=action-submit]")
    expect(submit).to_have_text(re.compile(r"提交.*审核"))
    expect(submit).not_to_contain_text("Moderators")
    submit.click()
    expect(editor.locator(".messages")).to_contain_text(title)

    # The moderator: the dashboard lists it as awaiting review; approved from there.
    moderator = new_context().new_page()
    admin_sign_in(moderator, "moderator")
    waiting = moderator.get_by_role("region", name=ui(ZH, "Awaiting your review"))
    row = waiting.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("王编辑")
    row.get_by_role("button", name=ui(ZH, "Actions"), exact=True).click()
    row.get_by_role("button", name=ui(ZH, "Approve"), exact=True).click()
    expect(moderator).to_have_url(re.compile(r"/admin/$"))
    expect(moderator.locator(".messages")).to_contain_text(
        ui(ZH, "“%(title)s” was approved and its review is complete.", title=title)
    )

    # On the public site: in the blog, and its own page.
    visitor = new_context().new_page()
    visitor.goto("/")
    main_menu(visitor).get_by_role("link", name="社区博客", exact=True).click()
    visitor.locator("main").get_by_role("link", name=title).first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    expect(visitor.locator("main")).to_contain_text(introduction)


# --- Clerk ------------------------------------------------------------------------------


def test_clerk_opens_closes_and_publishes_a_vote(new_context, manage_shell):
    title = f"关于增设快递柜的表决（{uuid.uuid4().hex[:6]}）"
    motion = make_motion(manage_shell, title, open_it=False)
    roll = motion["eligible"]

    clerk = new_context().new_page()
    admin_sign_in(clerk, "clerk")
    clerk.locator("#wagtail-sidebar").get_by_role("link", name=ui(ZH, "Votes"), exact=True).click()
    expect(clerk).to_have_url(re.compile(r"/admin/snippets/votes/motion/$"))
    rows = clerk.locator("main").get_by_role("row")

    # Opening: the confirmation says how many will be on the roll.
    row_step(clerk, rows.filter(has_text=title), title, "Open for voting")
    expect(clerk.locator("main")).to_contain_text(
        nui(
            ZH,
            "%(counter)s person will be on the roll: the roll is fixed when the vote opens.",
            "%(counter)s people will be on the roll: the roll is fixed when the vote opens.",
            roll,
        )
    )
    confirm_step(clerk, "Open for voting", title)

    # Two ballots come in online meanwhile.
    manage_shell(
        "from votes.models import Motion\n"
        "from votes.services import cast\n"
        f"m = Motion.objects.get(pk={motion['pk']})\n"
        "option = m.options.order_by('sort_order', 'pk').first()\n"
        "for entry in m.roll.select_related('person').exclude("
        "person__user__username='rep').order_by('pk')[:2]:\n"
        "    cast(m.pk, entry.person, option.pk)"
    )

    # Closing: the roll and the turnout so far.
    row_step(clerk, rows.filter(has_text=title), title, "Close the vote")
    expect(clerk.locator("main")).to_contain_text(
        ui(ZH, "%(cast)s of %(roll)s eligible", cast=2, roll=roll)
    )
    confirm_step(clerk, "Close the vote", title)
    row_step(clerk, rows.filter(has_text=title), title, "Publish the results")
    confirm_step(clerk, "Publish the results", title)

    # The public site: under results, the counts as cast.
    visitor = new_context().new_page()
    visitor.goto("/")
    menu_link(visitor, "Votes and results").click()
    visitor.get_by_role("region", name=ui(ZH, "Results")).get_by_role("link", name=title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    table = visitor.locator("table.results-table")
    first = table.locator("tbody tr").first
    expect(first.locator("th")).to_have_text(motion["options"][0])
    expect(first.locator("td").first).to_have_text("2")
    expect(visitor.locator("section", has=table)).to_contain_text(
        ui(ZH, "%(cast)s of %(roll)s eligible", cast=2, roll=roll)
    )


# --- Duty cadre -------------------------------------------------------------------------


def test_cadre_answers_a_request_from_the_dashboard(new_context, manage_shell):
    token = uuid.uuid4().hex[:8]
    text = f"3号楼水管漏水 {token}。"
    answer = f"已联系物业维修工明早九点上门 {token}。"
    result = f"水管已更换，不再漏水 {token}。"
    category = ui(ZH, "repairs and facilities")

    # A resident sent it online (the form itself is the resident's journey).
    reference = last_line(
        manage_shell(
            "from duty.factories import DutyRecordFactory\n"
            f"print(DutyRecordFactory(request={text!r}, channel='online', category='repair').reference)"
        )
    )
    # The resident follows it from the front page's box.
    resident = new_context(viewport=PHONE_VIEWPORT).new_page()
    resident.goto("/")
    box = resident.locator("main form.follow-box")
    box.get_by_label(ui(ZH, "Your reference")).fill(reference)
    box.get_by_role("button", name=ui(ZH, "Follow")).click()
    expect(resident).to_have_url(re.compile(rf"/duty/request/{re.escape(reference)}/$"))
    expect(resident.locator("main .state")).to_have_text(request_state("received"))
    row_title = f"{reference} · {category}"

    # The cadre: the dashboard's duty panel → the new requests in the record book.
    cadre = new_context().new_page()
    admin_sign_in(cadre, "cadre")
    cadre.locator("main").get_by_role("link", name=re.compile("新诉求")).click()
    expect(cadre).to_have_url(re.compile(r"/admin/snippets/duty/dutyrecord/\?state=received$"))
    row = cadre.locator("main").get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(text)
    expect(row).to_contain_text(re.compile(re.escape(request_state("received")), re.I))
    expect(row).to_contain_text("已收到")

    row_step(cadre, row, row_title, "Take on")
    confirm_step(cadre, "Take on", row_title)
    # Back in the list of new requests (the filter kept): it is no longer among them.
    expect(cadre).to_have_url(re.compile(r"/admin/snippets/duty/dutyrecord/\?state=received$"))
    expect(cadre.locator("main").get_by_role("row").filter(has_text=reference)).to_have_count(0)
    sidebar = cadre.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name=ui(ZH, "Duty"), exact=True).click()
    sidebar.get_by_role("link", name=ui(ZH, "Record book"), exact=True).click()
    row = cadre.locator("main").get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text(CADRE_NAME)
    expect(row).to_contain_text(re.compile(re.escape(request_state("in_progress")), re.I))

    # The answer and the result, written in the record, then resolved.
    row.get_by_role("link", name=reference).click()
    cadre.locator("#id_answer").fill(answer)
    cadre.locator("#id_result").fill(result)
    cadre.locator("#id_change_reason").fill("电话回访后填写")
    cadre.locator("main form").get_by_role("button", name=ui(ZH, "Save"), exact=True).click()
    expect(cadre.locator(".messages")).to_be_visible()
    row = cadre.locator("main").get_by_role("row").filter(has_text=reference)
    row_step(cadre, row, row_title, "Resolve")
    confirm_step(cadre, "Resolve", row_title)

    # The resident's page: resolved, the answer, and when it was answered.
    resident.reload()
    main = resident.locator("main")
    expect(main.locator(".state")).to_have_text(request_state("resolved"))
    expect(main).to_contain_text(answer)
    answered = main.locator("dt", has_text=ui(ZH, "Answered"))
    expect(answered).to_be_visible()
    expect(answered.locator("xpath=following-sibling::dd[1]")).to_contain_text(
        re.compile(r"\d{4}.\d{1,2}.\d{1,2}.*\d{1,2}:\d{2}")
    )


# --- Supervisor -------------------------------------------------------------------------


def test_supervisor_reads_the_history_and_downloads_it(new_context, manage_shell):
    # The newest entry: the cadre takes on a received request (as they would in the admin).
    facts = json.loads(
        last_line(
            manage_shell(
                "import json\n"
                "from django.contrib.auth import get_user_model\n"
                "from core.transitions import perform\n"
                "from duty.models import DutyRecord\n"
                "from duty.factories import DutyRecordFactory\n"
                "r = DutyRecordFactory(request='楼下垃圾无人清运。')\n"
                "perform(r, 'take_on', get_user_model().objects.get(username='cadre'))\n"
                "print(json.dumps({'reference': r.reference}))"
            )
        )
    )
    reference = facts["reference"]

    supervisor = new_context().new_page()
    admin_sign_in(supervisor, "supervisor")
    supervisor.locator("#wagtail-sidebar").get_by_role(
        "link", name=ui(ZH, "History"), exact=True
    ).click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text(ui(ZH, "History"))
    entry = supervisor.locator("#listing-results tbody tr").filter(has_text=reference).first
    # The person by their full name, the step by its label.
    expect(entry).to_contain_text(CADRE_NAME)
    expect(entry).to_contain_text(ui(ZH, "Take on"))
    expect(entry).not_to_contain_text("cadre")
    when = entry.locator("td").nth(1).inner_text()
    entry.get_by_role("link", name=re.compile(re.escape(reference))).first.click()
    facts_list = supervisor.locator("section.audit-entry dl.audit-facts").first
    expect(facts_list).to_contain_text(CADRE_NAME)
    expect(facts_list).to_contain_text(ui(ZH, "Take on"))

    # Back to the timeline; its CSV.
    supervisor.go_back()
    supervisor.get_by_role("button", name=ui(ZH, "Actions")).click()
    with supervisor.expect_download() as download:
        supervisor.get_by_role("link", name=ui(ZH, "Download CSV")).click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "the history CSV starts with a UTF-8 BOM"
    header, *table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    when_column = header.index(ui(ZH, "When"))
    # Every time is the wall-clock time in Shanghai, without an offset.
    offsets = [row[when_column] for row in table if not LOCAL_TIME.match(row[when_column])]
    assert not offsets, f"times in the CSV not local: {offsets[:5]}"
    rows = [row for row in table if reference in " ".join(row)]
    assert rows, f"the CSV holds the entries for {reference}"
    local = last_line(
        manage_shell(
            "from zoneinfo import ZoneInfo\n"
            "from audit.models import AuditEntry\n"
            f"e = AuditEntry.objects.filter(object_repr__contains={reference!r}).latest('pk')\n"
            "print(e.timestamp.astimezone(ZoneInfo('Asia/Shanghai')).strftime('%Y-%m-%d %H:%M'))"
        )
    )
    newest = rows[0]
    assert newest[when_column].startswith(local), (newest, local, when)
    assert CADRE_NAME in newest
    assert ui(ZH, "Take on") in " ".join(newest)
