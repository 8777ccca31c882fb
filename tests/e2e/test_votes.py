"""A vote in a browser, from the representative's ballot to the published result.

The journey of issue 6: the demo representative logs in, opens the open motion (the demo
leaves it unvoted by them), chooses, changes their mind at the confirmation step (issue 12),
confirms, sees the ballot acknowledged and the motion marked "voted" in the list, and cannot
vote again, not even from a page opened before voting; a meeting clerk closes the motion from the Votes
listing in the admin and publishes its results the same way; the public result page shows
exactly the ballots in the database.
"""

import json
import re

from playwright.sync_api import expect

from tests.e2e.support import DEMO_PASSWORD, ZH, admin_sign_in, check_axe, ui

MOTION = "关于增设电动自行车充电桩的表决"
LISTING = "/admin/snippets/votes/motion/"


def login_as_representative(page, language=ZH):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("rep")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=ui(language, "Log in")).click()
    expect(
        page.locator("header").get_by_role("button", name=ui(language, "Log out"))
    ).to_be_visible()


def ballot_form(page):
    return page.locator("main form").filter(has=page.locator("input[name=option]"))


def motion_facts(manage_shell):
    """The motion's state, the rep's receipts and the ballots per option, from the database."""
    output = manage_shell(
        "import json\n"
        "from django.db.models import Count\n"
        "from votes.models import Ballot, BallotReceipt, Motion\n"
        f"m = Motion.objects.get(title={MOTION!r})\n"
        "counts = dict(Ballot.objects.filter(motion=m).values_list('option__label')"
        ".annotate(n=Count('pk')).values_list('option__label', 'n'))\n"
        "print(json.dumps({'pk': m.pk, 'state': m.state, 'roll': m.roll.count(),"
        " 'rep': BallotReceipt.objects.filter(motion=m, person__user__username='rep').count(),"
        " 'options': [o.label for o in m.options.order_by('sort_order', 'pk')],"
        " 'counts': counts}))"
    )
    return json.loads(output.strip().splitlines()[-1])


def page_width(page):
    """How wide the page is laid out, in CSS pixels (wider than the viewport: it scrolls)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )


def open_row_menu(page, title):
    """In the Votes listing, open the "⋯" More options menu of the motion's row."""
    page.goto(LISTING)
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("button", name=ui(ZH, "More options for '%(title)s'", title=title)).click()


def run_step(page, step, title=MOTION):
    """In the Votes listing, the motion's row "More" menu → ``step`` → confirm."""
    open_row_menu(page, title)
    page.get_by_role("link", name=ui(ZH, step), exact=True).click()
    expect(page).to_have_url(
        re.compile(r"/admin/snippets/votes/motion/\d+/transition/\w+/(\?next=.*)?$")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui(ZH, step))
    page.locator("main form").get_by_role("button", name=ui(ZH, step), exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(LISTING) + r"$"))
    expect(page.locator(".messages")).to_contain_text(
        ui(ZH, "%(label)s: “%(object)s”.", label=ui(ZH, step), object=title)
    )


def test_a_representative_votes_and_the_clerk_publishes_the_result(new_context, manage_shell):
    before = motion_facts(manage_shell)
    assert before["state"] == "open"
    assert before["rep"] == 0, "the demo representative has not voted on the open motion"
    detail = f"/votes/{before['pk']}/"

    # The representative logs in, finds the open motion and votes.
    context = new_context(locale="zh-CN")
    rep = context.new_page()
    login_as_representative(rep)
    rep.goto("/votes/")
    check_axe(rep)
    rep.get_by_role("region", name=ui(ZH, "Open now")).get_by_role("link", name=MOTION).click()
    expect(rep).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(rep.get_by_role("heading", level=1)).to_have_text(MOTION)
    # No result is shown while the vote is open.
    expect(rep.locator(".results-table")).to_have_count(0)
    expect(rep.locator("figure.chart")).to_have_count(0)

    # A second tab keeps the ballot form open from before the vote.
    stale = context.new_page()
    stale.goto(detail)
    expect(ballot_form(stale)).to_be_visible()

    # The page says when voting closes.
    expect(rep.locator("main dl.facts")).to_contain_text(ui(ZH, "Voting closes"))

    # The choice first: each option a label around its radio, then a step to confirm.
    choice, second_thought = before["options"][1], before["options"][0]
    form = ballot_form(rep)
    form.get_by_label(choice, exact=True).check()
    form.get_by_role("button", name=ui(ZH, "Cast my ballot")).click()
    confirm = rep.locator("form.ballot--confirm")
    expect(confirm.locator(".ballot__choice")).to_have_text(
        ui(ZH, "You chose: %(option)s.", option=choice)
    )
    assert motion_facts(manage_shell)["rep"] == 0, "nothing is recorded before confirming"
    # Changed: back to the choice, with it ticked; another option chosen and confirmed.
    confirm.get_by_role("button", name=ui(ZH, "Change my choice")).click()
    form = ballot_form(rep)
    expect(form.get_by_label(choice, exact=True)).to_be_checked()
    choice = second_thought
    form.get_by_label(choice, exact=True).check()
    form.get_by_role("button", name=ui(ZH, "Cast my ballot")).click()
    expect(confirm.locator(".ballot__choice")).to_have_text(
        ui(ZH, "You chose: %(option)s.", option=choice)
    )
    confirm.get_by_role("button", name=ui(ZH, "Confirm my ballot")).click()

    # Acknowledged, and the form is gone.
    expect(rep).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(rep.locator(".messages")).to_contain_text(
        ui(ZH, "Your ballot is recorded: %(option)s. Thank you for voting.", option=choice)
    )
    expect(
        rep.get_by_text(ui(ZH, "You have voted on this. Thank you; a ballot cannot be changed."))
    ).to_be_visible()
    expect(rep.locator("input[name=option]")).to_have_count(0)
    expect(rep.get_by_role("button", name=ui(ZH, "Cast my ballot"))).to_have_count(0)
    rep.reload()
    expect(rep.locator("input[name=option]")).to_have_count(0)
    # In the list of open votes, this one is marked as voted.
    rep.goto("/votes/")
    voted_item = rep.get_by_role("region", name=ui(ZH, "Open now")).locator(
        "li.meeting", has=rep.get_by_role("link", name=MOTION)
    )
    expect(voted_item.locator(".voted")).to_have_text(ui(ZH, "voted"))

    # The form left open in the other tab cannot cast a second ballot.
    other = before["options"][1]
    form = ballot_form(stale)
    form.get_by_label(other, exact=True).check()
    with stale.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name=ui(ZH, "Cast my ballot")).click()
    assert posted.value.status == 409
    expect(stale.get_by_role("alert")).to_have_text(
        ui(ZH, "You have already voted on this. A ballot cannot be changed.")
    )
    expect(stale.locator("input[name=option]")).to_have_count(0)

    after = motion_facts(manage_shell)
    assert after["rep"] == 1
    assert sum(after["counts"].values()) == sum(before["counts"].values()) + 1
    assert after["counts"].get(choice, 0) == before["counts"].get(choice, 0) + 1
    assert after["counts"].get(other, 0) == before["counts"].get(other, 0)

    # A meeting clerk closes the vote from the Votes listing, then publishes its results.
    clerk = new_context(locale="zh-CN").new_page()
    admin_sign_in(clerk, "clerk")
    run_step(clerk, "Close the vote")
    assert motion_facts(manage_shell)["state"] == "closed"

    # Closed but not published: still no counts for anyone.
    visitor = new_context(locale="zh-CN").new_page()
    visitor.goto(detail)
    expect(
        visitor.get_by_text(ui(ZH, "The vote has closed. Results will be published here."))
    ).to_be_visible()
    expect(visitor.locator(".results-table")).to_have_count(0)

    run_step(clerk, "Publish the results")
    final = motion_facts(manage_shell)
    assert final["state"] == "published"
    assert final["counts"] == after["counts"]

    # The public result matches the ballots in the database.
    visitor.goto("/votes/")
    visitor.get_by_role("region", name=ui(ZH, "Results")).get_by_role("link", name=MOTION).click()
    expect(visitor).to_have_url(re.compile(re.escape(detail) + "$"))
    table = visitor.locator("table.results-table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(final["options"]))
    shown = {
        rows.nth(n).locator("th").inner_text().strip(): int(
            rows.nth(n).locator("td").first.inner_text()
        )
        for n in range(rows.count())
    }
    assert shown == {label: final["counts"].get(label, 0) for label in final["options"]}
    cast = sum(final["counts"].values())
    expect(visitor.locator("section", has=table)).to_contain_text(
        ui(ZH, "%(cast)s of %(roll)s eligible", cast=cast, roll=final["roll"])
    )
    chart = visitor.locator("figure.chart")
    expect(chart).to_be_visible()
    expect(chart.locator("figcaption")).to_have_text(MOTION)
    check_axe(visitor)

    # On a 390-pixel phone the result fits the screen: nothing scrolls sideways.
    phone = new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    for path in ("/votes/", detail):
        phone.goto(path)
        assert page_width(phone) <= 390, f"{path} is {page_width(phone)} px wide at 390 px"
    expect(phone.locator("figure.chart .chart__row")).to_have_count(len(final["options"]))
    for bar in range(len(final["options"])):
        box = phone.locator("figure.chart .chart__track").nth(bar).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390

    # The voter, too, sees the result and no form.
    rep.goto(detail)
    expect(rep.locator("table.results-table")).to_be_visible()
    expect(rep.locator("input[name=option]")).to_have_count(0)


SECRET_MOTION = "关于小区公共收益使用方案的无记名表决"  # votes.demo.OPEN_SECRET_MOTION


def secret_facts(manage_shell):
    """The secret motion's state, its receipts by channel and its ballots per option."""
    output = manage_shell(
        "import json\n"
        "from django.db.models import Count\n"
        "from votes.models import Ballot, BallotReceipt, Motion\n"
        f"m = Motion.objects.get(title={SECRET_MOTION!r})\n"
        "counts = dict(Ballot.objects.filter(motion=m).values_list('option__label')"
        ".annotate(n=Count('pk')).values_list('option__label', 'n'))\n"
        "print(json.dumps({'pk': m.pk, 'state': m.state, 'roll': m.roll.count(),"
        " 'hall': BallotReceipt.objects.filter(motion=m, channel='hall').count(),"
        " 'receipts': BallotReceipt.objects.filter(motion=m).count(),"
        " 'options': [o.label for o in m.options.order_by('sort_order', 'pk')],"
        " 'counts': counts}))"
    )
    return json.loads(output.strip().splitlines()[-1])


def test_the_clerk_counts_a_secret_vote_in_the_hall(new_context, manage_shell):
    before = secret_facts(manage_shell)
    assert before["state"] == "open"
    assert before["hall"] == 0, "the demo leaves the secret motion's hall to the clerk"
    roll_call = f"/admin/votes/{before['pk']}/roll-call/"

    # The clerk opens the roll call from the motion's row menu in the Votes listing.
    clerk = new_context(locale="zh-CN").new_page()
    admin_sign_in(clerk, "clerk")
    open_row_menu(clerk, SECRET_MOTION)
    clerk.get_by_role("link", name=ui(ZH, "Roll call"), exact=True).click()
    expect(clerk).to_have_url(re.compile(re.escape(roll_call) + "$"))
    check_axe(clerk)

    # Step 1: who took a paper ballot. The form lists people, never an option.
    attendance = clerk.locator("main form").filter(has=clerk.locator("input[name=present]"))
    expect(attendance.get_by_role("radio")).to_have_count(0)
    marks = attendance.get_by_role("checkbox")
    for number in range(3):
        marks.nth(number).check()
    attendance.get_by_role(
        "button", name=ui(ZH, "Record who took a paper ballot"), exact=True
    ).click()
    expect(clerk).to_have_url(re.compile(re.escape(roll_call) + "$"))
    expect(clerk.locator(".messages")).to_contain_text(
        ui(ZH, "Paper ballots handed out: %(count)d.", count=3)
    )
    handed_out = secret_facts(manage_shell)
    assert (handed_out["hall"], handed_out["counts"]) == (3, before["counts"])

    # Step 2, in a browser without JavaScript: the counted totals, which must add up.
    plain = new_context(locale="zh-CN", java_script_enabled=False).new_page()
    admin_sign_in(plain, "clerk")
    plain.goto(roll_call)
    count_form = plain.locator("main form").filter(has=plain.locator("input[value=count]"))
    expect(count_form.get_by_role("checkbox")).to_have_count(0)
    labels = before["options"]
    for label, number in zip(labels, (3, 1, 0), strict=True):
        count_form.get_by_label(label).fill(str(number))
    count_form.get_by_role("button", name=ui(ZH, "Record the count"), exact=True).click()
    expect(count_form.get_by_role("alert")).to_have_text(
        ui(
            ZH,
            "The totals add up to %(total)d; they must add up to the paper ballots handed out: %(handed_out)d.",
            total=4,
            handed_out=3,
        )
    )
    assert secret_facts(manage_shell)["counts"] == before["counts"]
    totals = dict(zip(labels, (2, 0, 1), strict=True))
    for label, number in totals.items():
        count_form.get_by_label(label).fill(str(number))
    count_form.get_by_role("button", name=ui(ZH, "Record the count"), exact=True).click()
    expect(plain.locator(".messages")).to_contain_text(
        ui(ZH, "The hall's count is recorded (paper ballots: %(count)d).", count=3)
    )
    clerk.reload()
    expect(clerk.locator("input[value=count]")).to_have_count(0)
    check_axe(clerk)

    # Closed and published from the row menu, as any vote.
    run_step(clerk, "Close the vote", SECRET_MOTION)
    run_step(clerk, "Publish the results", SECRET_MOTION)
    final = secret_facts(manage_shell)
    assert final["state"] == "published"
    assert final["counts"] == {
        label: before["counts"].get(label, 0) + totals[label]
        for label in labels
        if before["counts"].get(label, 0) + totals[label]
    }

    # The public result shows the online ballots and the hall's totals together.
    visitor = new_context(locale="zh-CN").new_page()
    visitor.goto(f"/votes/{final['pk']}/")
    rows = visitor.locator("table.results-table tbody tr")
    expect(rows).to_have_count(len(labels))
    shown = {
        rows.nth(n).locator("th").inner_text().strip(): int(
            rows.nth(n).locator("td").first.inner_text()
        )
        for n in range(rows.count())
    }
    assert shown == {label: final["counts"].get(label, 0) for label in labels}
    expect(visitor.locator("section", has=visitor.locator("table.results-table"))).to_contain_text(
        ui(ZH, "%(cast)s of %(roll)s eligible", cast=final["receipts"], roll=final["roll"])
    )
    check_axe(visitor)
