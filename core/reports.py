"""Wagtail's own admin reports, exporting through the site's one safe spreadsheet writer.

Wagtail's reports (locked pages, workflows, workflow tasks, site history, aging pages, page
types usage) export CSV and XLSX with its plain ``SpreadsheetExportMixin``: times in UTC, no
byte-order mark, typed text that a spreadsheet may run as a formula. Each is subclassed here
with ``core.exports.SafeSpreadsheetExportMixin`` in front of Wagtail's mixin, and served at
Wagtail's own paths by ``urlpatterns`` below, which ``cms/urls.py`` includes before Wagtail's
admin. Nothing else changes: the views keep Wagtail's permission checks, its menu items still
reverse Wagtail's URL names (to the same paths), and the filters and templates are Wagtail's.
"""

import re

from django.urls import path
from django.utils.encoding import force_str
from django.views.decorators.cache import never_cache

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.utils.urlpatterns import decorate_urlpatterns

from core.exports import SafeSpreadsheetExportMixin

# Characters a worksheet's name cannot hold (openpyxl refuses them).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\*?:/\[\]]")


class SafeReportExportMixin(SafeSpreadsheetExportMixin):
    """Goes before a Wagtail report view in its bases; names the worksheet after the report."""

    def get_sheet_title(self):
        title = SHEET_TITLE_FORBIDDEN.sub(" ", force_str(self.page_title or "")).strip()
        return title[:31] or super().get_sheet_title()


def safe(view_class):
    """Wagtail's report view ``view_class`` with the safe export in front of its own."""
    return type(view_class.__name__, (SafeReportExportMixin, view_class), {"__module__": __name__})


# Wagtail's paths under ``admin/reports/`` (``wagtail/admin/urls/reports.py``), each with its
# results-only path, which exports as well when asked to.
# Page types usage exports nothing today (no ``list_export``); wrapped so that it would export
# safely too.
REPORTS = (
    ("locked/", safe(LockedPagesView)),
    ("workflow/", safe(WorkflowView)),
    ("workflow_tasks/", safe(WorkflowTasksView)),
    ("site-history/", safe(LogEntriesView)),
    ("aging-pages/", safe(AgingPagesView)),
    ("page-types-usage/", safe(PageTypesUsageReportView)),
)

# No URL names: ``reverse("wagtailadmin_reports:…")`` keeps finding Wagtail's patterns, whose
# paths are these. Wrapped as Wagtail wraps its admin's views: admin access, no caching.
urlpatterns = decorate_urlpatterns(
    [
        pattern
        for prefix, view in REPORTS
        for pattern in (
            path(prefix, view.as_view()),
            path(f"{prefix}results/", view.as_view(results_only=True)),
        )
    ],
    require_admin_access,
)
urlpatterns = decorate_urlpatterns(urlpatterns, never_cache)
