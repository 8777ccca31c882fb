"""Organisation life's reports in a browser: the party-affairs office reads each member's
attendance for the year and prints an in-service member's feedback sheet from the listing,
one sheet to a page; the compliance dashboard lists the members absent too often. The pages
pass the accessibility checks."""

from playwright.sync_api import expect

from tests.e2e.support import ZH, admin_sign_in, check_axe, last_line, ui


def test_the_office_reads_the_attendance_and_prints_a_feedback_sheet(new_context, manage_shell):
    page = new_context(locale="zh-CN").new_page()
    admin_sign_in(page, "party")

    active = int(
        last_line(
            manage_shell(
                "from party.models import PartyMember; "
                "print(min(PartyMember.objects.active().count(), 50))"
            )
        )
    )
    page.goto("/admin/party/attendance-report/")
    expect(page.locator("main h1")).to_contain_text(ui(ZH, "Attendance at organisation life"))
    expect(page.locator("table[data-report=attendance] tbody tr")).to_have_count(active)
    check_axe(page)

    page.goto("/admin/party/participation/")
    expect(page.locator("table[data-report=participation]")).to_be_visible()
    check_axe(page)

    pk, name = last_line(
        manage_shell(
            "from party.models import FeedbackSheet; "
            "s = FeedbackSheet.objects.select_related('member__person').first(); "
            "print(s.pk, s.member.person.name)"
        )
    ).split(maxsplit=1)
    page.goto("/admin/snippets/party/feedbacksheet/")
    # The row's "Print" action (in its "⋯" menu) leads to the printable sheet.
    link = page.locator(f"main a[href='/admin/party/feedback-sheets/print/{pk}/']")
    expect(link).to_have_count(1)
    page.goto(link.get_attribute("href"))
    sheet = page.locator("article.sheet")
    expect(sheet).to_have_count(1)
    expect(sheet).to_contain_text(name)
    expect(sheet).to_contain_text(ui(ZH, "The community's comments"))
    check_axe(page)

    # A year's sheets at once: each on a page of its own.
    year, count = last_line(
        manage_shell(
            "from django.utils import timezone; from party.models import FeedbackSheet; "
            "year = timezone.localdate().year - 1; "
            "print(year, FeedbackSheet.objects.filter(year=year).count())"
        )
    ).split()
    page.goto(f"/admin/party/feedback-sheets/print/?year={year}")
    sheets = page.locator("article.sheet")
    expect(sheets).to_have_count(int(count))
    assert int(count) > 1
    assert sheets.first.evaluate("sheet => getComputedStyle(sheet).breakAfter") == "page"

    # The demo has one member absent too often this year.
    page.goto("/admin/people/compliance/")
    expect(page.locator("table[data-compliance=absences] tbody tr")).to_have_count(1)
    check_axe(page)
