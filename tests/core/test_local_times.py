"""Every admin view and every export gives times in the site's time zone (Asia/Shanghai).

A time stored as 22:42 UTC is 06:42 the next day in Shanghai: the inspect views, the
history centre and every CSV say 06:42 and the next day's date, with no ``+00:00``.
"""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from django.utils import timezone

from audit.models import AuditEntry
from core.exports import local_time, spreadsheet_response
from duty.factories import DutyRecordFactory
from opinions.factories import OpinionFactory
from opinions.models import Opinion
from people.factories import PersonFactory
from tests.support import logged_in

UTC_EVENING = datetime.datetime(2025, 3, 4, 22, 42, tzinfo=datetime.UTC)
SHANGHAI_TEXT = "2025-03-05 06:42:00"


def csv_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "every CSV starts with the byte-order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_local_time_converts_aware_times_only():
    assert local_time(UTC_EVENING) == datetime.datetime(2025, 3, 5, 6, 42)
    naive = datetime.datetime(2025, 3, 4, 22, 42)
    assert local_time(naive) is naive
    assert local_time("22:42") == "22:42"


@pytest.mark.django_db
class TestInspectViews:
    def test_an_opinion_received_at_22_42_utc_reads_06_42_next_day(self, superuser):
        opinion = OpinionFactory()
        Opinion.objects.filter(pk=opinion.pk).update(created_at=UTC_EVENING)

        html = (
            logged_in(superuser)
            .get(
                f"/admin/snippets/opinions/opinion/inspect/{opinion.pk}/",
                headers={"accept-language": "en"},
            )
            .content.decode()
        )

        assert "March 5, 2025, 6:42 a.m." in html
        assert "10:42 p.m." not in html

    def test_the_record_books_inspect_view_too(self, cadre):
        record = DutyRecordFactory(received_at=UTC_EVENING)

        html = (
            logged_in(cadre)
            .get(
                f"/admin/snippets/duty/dutyrecord/inspect/{record.pk}/",
                headers={"accept-language": "en"},
            )
            .content.decode()
        )

        assert "March 5, 2025, 6:42 a.m." in html


@pytest.mark.django_db
class TestExports:
    def test_the_history_csv(self, supervisor):
        person = PersonFactory()
        person._history_date = UTC_EVENING
        person.name = "王建国"
        person.save()
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry.timestamp == UTC_EVENING

        rows = csv_rows(
            logged_in(supervisor).get(
                "/admin/history/", {"export": "csv"}, headers={"accept-language": "en"}
            )
        )

        row = next(row for row in rows if row["Entry"] == str(entry.pk))
        assert row["When"] == SHANGHAI_TEXT

    def test_a_listing_csv(self, supervisor):
        DutyRecordFactory(received_at=UTC_EVENING)

        rows = csv_rows(
            logged_in(supervisor).get(
                "/admin/snippets/duty/dutyrecord/",
                {"export": "csv"},
                headers={"accept-language": "en"},
            )
        )

        (row,) = rows
        assert row["Received"] == SHANGHAI_TEXT
        assert "+00:00" not in ",".join(row.values())

    def test_a_listing_xlsx_holds_the_local_time(self, supervisor):
        DutyRecordFactory(received_at=UTC_EVENING)

        response = logged_in(supervisor).get("/admin/snippets/duty/dutyrecord/", {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = [cell for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row]

        assert datetime.datetime(2025, 3, 5, 6, 42) in values

    def test_a_reports_csv(self):
        response = spreadsheet_response("csv", ["When"], [[UTC_EVENING]], "report")

        assert response.content.startswith("\ufeff".encode())
        assert csv_rows(response) == [{"When": SHANGHAI_TEXT}]

    def test_a_naive_time_is_left_as_it_is(self):
        response = spreadsheet_response(
            "csv", ["When"], [[timezone.make_naive(UTC_EVENING, datetime.UTC)]], "report"
        )

        assert csv_rows(response) == [{"When": "2025-03-04 22:42:00"}]


# Wagtail's own admin reports (core.reports): each served at Wagtail's path, exporting through
# core.exports.
FORMULA_TITLE = "=SUM(1,2) 通知"
REPORT_PATHS = {
    "locked pages": "/admin/reports/locked/",
    "workflows": "/admin/reports/workflow/",
    "workflow tasks": "/admin/reports/workflow_tasks/",
    "site history": "/admin/reports/site-history/",
    "aging pages": "/admin/reports/aging-pages/",
}


@pytest.fixture
def reported_page(moderator):
    """A page in every report: published, locked, in moderation, all at 22:42 UTC."""
    from wagtail.models import (
        GroupApprovalTask,
        Page,
        PageLogEntry,
        TaskState,
        Workflow,
        WorkflowState,
        WorkflowTask,
    )

    from tests.home.factories import StandardPageFactory

    page = StandardPageFactory(title=FORMULA_TITLE, user=moderator)
    workflow = Workflow.objects.create(name="Report test")
    task = GroupApprovalTask.objects.create(name="Report test task")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    workflow.start(page, moderator)
    Page.objects.filter(pk=page.pk).update(
        locked=True, locked_at=UTC_EVENING, locked_by=moderator, last_published_at=UTC_EVENING
    )
    PageLogEntry.objects.filter(page=page).update(timestamp=UTC_EVENING)
    WorkflowState.objects.filter(base_content_type__model="page", object_id=str(page.pk)).update(
        created_at=UTC_EVENING
    )
    TaskState.objects.filter(workflow_state__object_id=str(page.pk)).update(started_at=UTC_EVENING)
    return page


def report_rows(response):
    """The rows of a report's CSV (checked to start with the BOM) as lists of cells."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "every CSV starts with the byte-order mark"
    return list(csv.reader(io.StringIO(text[1:])))[1:]


@pytest.mark.django_db
class TestWagtailReports:
    def test_every_wagtail_report_is_served_through_the_safe_export(self):
        from django.urls import resolve

        from wagtail.admin.urls import reports as wagtail_reports
        from wagtail.admin.views.mixins import SpreadsheetExportMixin

        from core.exports import SafeSpreadsheetExportMixin

        for pattern in wagtail_reports.urlpatterns:
            view = resolve(f"/admin/reports/{pattern.pattern}").func.view_class
            assert view.__module__ == "core.reports", pattern.name
            assert issubclass(view, pattern.callback.view_class)
            mro = view.__mro__
            assert mro.index(SafeSpreadsheetExportMixin) < mro.index(SpreadsheetExportMixin)

    @pytest.mark.parametrize("report", sorted(REPORT_PATHS))
    def test_the_csv_has_the_bom_local_times_and_no_formulas(
        self, report, reported_page, moderator
    ):
        rows = report_rows(
            logged_in(moderator).get(
                REPORT_PATHS[report], {"export": "csv"}, headers={"accept-language": "en"}
            )
        )

        row = next(row for row in rows if "'" + FORMULA_TITLE in row)
        assert FORMULA_TITLE not in row, "the title is written as text, not a formula"
        assert SHANGHAI_TEXT in row
        assert not any("+00:00" in cell or "22:42" in cell for cell in row)

    @pytest.mark.parametrize("report", sorted(REPORT_PATHS))
    def test_the_xlsx_has_local_times_and_text_cells(self, report, reported_page, moderator):
        response = logged_in(moderator).get(REPORT_PATHS[report], {"export": "xlsx"})

        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = load_workbook(io.BytesIO(body)).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
        titles = [cell for cell in cells if cell.value == FORMULA_TITLE]
        assert titles
        assert all(cell.data_type == "s" for cell in titles)
        assert datetime.datetime(2025, 3, 5, 6, 42) in [cell.value for cell in cells]
        assert datetime.datetime(2025, 3, 4, 22, 42) not in [cell.value for cell in cells]

    @pytest.mark.parametrize("path", [*REPORT_PATHS.values(), "/admin/reports/page-types-usage/"])
    def test_the_report_pages_still_show(self, path, reported_page, moderator):
        client = logged_in(moderator)

        assert client.get(path).status_code == 200
        assert client.get(f"{path}results/").status_code == 200

    def test_the_results_only_address_exports_safely_too(self, reported_page, moderator):
        rows = report_rows(
            logged_in(moderator).get("/admin/reports/site-history/results/", {"export": "csv"})
        )

        assert any(SHANGHAI_TEXT in row and "'" + FORMULA_TITLE in row for row in rows)

    @pytest.mark.parametrize(
        "report", ["locked pages", "workflows", "workflow tasks", "aging pages"]
    )
    def test_a_user_without_the_reports_permission_is_still_refused(
        self, report, reported_page, clerk
    ):
        response = logged_in(clerk).get(REPORT_PATHS[report], {"export": "csv"})

        assert response.status_code in (302, 403)
        assert not response.get("Content-Type", "").startswith("text/csv")

    def test_a_user_without_admin_access_is_still_refused(self, reported_page, representative):
        response = logged_in(representative).get(REPORT_PATHS["site history"], {"export": "csv"})

        assert response.status_code in (302, 403)
        assert not response.get("Content-Type", "").startswith("text/csv")
