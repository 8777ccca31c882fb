"""The one way the site writes CSV and XLSX: Wagtail's spreadsheet export, made safe.

A name, an opinion or a reason typed by a person can start like a spreadsheet formula
(``=HYPERLINK(...)``, ``@SUM(...)``, ``+1+1``). Opened in Excel or LibreOffice such a cell
would run, link out or leak the sheet. Every export therefore writes what people typed as
text:

- XLSX: every string cell is a string cell (data type ``s``), never a formula; openpyxl
  would otherwise make a formula of ``=…`` and an error cell of ``#N/A``.
- CSV: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (the OWASP CSV-injection rule); numbers stay numbers.

Times are written as the site reads them: an aware datetime (stored in UTC) is converted to
the site's time zone (``TIME_ZONE``) and written without an offset, ``2026-12-06 06:42:00``
in CSV and a plain date-time cell in XLSX, so that a row says the date a person in the
community would give. CSV files start with a UTF-8 byte-order mark, for Excel.

Listings get this through ``core.viewsets``; a report hands its headings and rows to
``spreadsheet_response``.
"""

import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.encoding import force_str

from wagtail.admin.views.mixins import ExcelDateFormatter, SpreadsheetExportMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a CSV file without it in the machine's code page (GBK on a Chinese Windows),
# which garbles every Chinese name.
UTF8_BOM = "\ufeff"


def local_time(value):
    """An aware datetime as a naive one in the site's time zone; other values unchanged."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def neutralise(value):
    """The value for a CSV cell that no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """Wagtail's ``SpreadsheetExportMixin`` writing typed text as text, with a BOM in CSV."""

    # The worksheet's name in an XLSX file (at most 31 characters); Wagtail's is "Sheet1".
    sheet_title = None

    def get_sheet_title(self):
        return force_str(self.sheet_title or "Sheet1")[:31]

    def preprocess_field_value(self, field, value, export_format):
        value = local_time(value)
        if export_format == self.FORMAT_CSV and isinstance(value, datetime.datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return neutralise(value)
        if isinstance(value, str):
            # Control characters cannot be stored in a worksheet: openpyxl would refuse the
            # whole file for one resident's stray character.
            return ILLEGAL_CHARACTERS_RE.sub("", value)
        return value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in super().generate_xlsx_row(worksheet, row_dict, date_format=date_format):
            if isinstance(cell.value, str):
                cell.data_type = "s"
            yield cell

    def stream_csv(self, queryset):
        yield UTF8_BOM.encode()
        yield from super().stream_csv(queryset)

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = CSV_CONTENT_TYPE
        return response

    def write_xlsx(self, queryset, output):
        # Wagtail's own, with the sheet's name; rows go through generate_xlsx_row above.
        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title=self.get_sheet_title())
        worksheet.append(self.get_heading(queryset, field) for field in self.list_export)
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            worksheet.append(
                self.generate_xlsx_row(worksheet, self.to_row_dict(item), date_format=date_format)
            )
        workbook.save(output)


class TableExport(SafeSpreadsheetExportMixin):
    """A report's table (headings, then rows of values) through the same writer as listings."""

    def __init__(self, headings, rows, filename, sheet_title=None):
        self.headings = [force_str(heading) for heading in headings]
        self.list_export = list(range(len(self.headings)))
        self.rows = rows
        self.export_filename = filename
        self.sheet_title = sheet_title

    def get_heading(self, queryset, field):
        return self.headings[field]

    def to_row_dict(self, item):
        return dict(zip(self.list_export, item, strict=True))

    def response(self, export_format):
        """The whole file in one response (a report is a few dozen rows, built already)."""
        if export_format == self.FORMAT_CSV:
            response = HttpResponse(
                b"".join(self.stream_csv(self.rows)), content_type=CSV_CONTENT_TYPE
            )
            extension = "csv"
        elif export_format == self.FORMAT_XLSX:
            output = BytesIO()
            self.write_xlsx(self.rows, output)
            response = HttpResponse(output.getvalue(), content_type=XLSX_CONTENT_TYPE)
            extension = "xlsx"
        else:
            raise ValueError(f"Unknown spreadsheet format: {export_format!r}")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.get_filename()}.{extension}"'
        )
        return response


def spreadsheet_response(export_format, headings, rows, filename, *, sheet_title=None):
    """A CSV or XLSX download (``export_format`` is "csv" or "xlsx") of a report's table.

    ``filename`` has no extension; ``rows`` are sequences as long as ``headings``. Values keep
    their type: numbers and dates stay numbers and dates, text is written as text.
    """
    return TableExport(headings, rows, filename, sheet_title).response(export_format)


def yearly_report_response(
    request, *, year, year_error, title, headings, rows, cells, filename, template
):
    """A yearly report's page, or with ``?export=csv`` or ``xlsx`` its table as a download.

    ``year`` and ``year_error`` come from ``core.forms.report_year``: a year that is not one
    gets the page with its message (400) and never a download. ``cells(row)`` gives a row's
    values for the spreadsheet; the template lays ``rows`` out itself.
    """
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and not year_error:
        return spreadsheet_response(
            export,
            headings,
            [cells(row) for row in rows],
            f"{filename}-{year}",
            sheet_title=title,
        )
    return TemplateResponse(
        request,
        template,
        {
            "header_title": title,
            "year": year,
            "year_error": year_error,
            "headings": headings,
            "rows": rows,
        },
        status=400 if year_error else 200,
    )
