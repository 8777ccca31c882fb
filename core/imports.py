"""Records from the office's spreadsheets: upload, preview, confirm, all or nothing.

An app describes its rows with a django-import-export resource derived from
``ImportResource`` and offers the import with an ``Importer``::

    class PersonResource(ImportResource):
        headings = {"name": _("name"), "phone": _("phone")}
        ...

    PEOPLE = Importer(
        resource_class=PersonResource,
        url_name="people_import",
        title=_("Import people"),
        permissions=("people.add_person", "people.change_person"),
        index_url_name="wagtailsnippets_people_person:list",
        filename="people-import",
    )

and in its ``wagtail_hooks.py`` returns ``PEOPLE.urlpatterns("people/import/")`` from
``register_admin_urls`` and mixes ``ImportButtonMixin`` (``importer = PEOPLE``) into its
listing view. ``core`` knows no app: the resource is handed in.

Why django-import-export: it is the maintained Django library for exactly this (a
declared resource per model, widgets that read cells, ``import_data(dry_run=True)`` run in a
transaction and rolled back, a result per row that says new, update or invalid with the model's
own validation errors). Its admin integration is for Django's admin, so the three views here
put its resources behind Wagtail's admin instead.

The steps:

1. Upload: the file is checked (CSV in UTF-8, with or without a byte-order mark, or in
   GB18030/GBK as Excel writes it on a Chinese Windows; XLSX; not empty, not over
   ``IMPORT_MAX_UPLOAD_SIZE`` bytes nor ``IMPORT_MAX_ROWS`` rows; every heading known, in
   English or in Chinese) and imported as a dry run, in a transaction that is rolled back.
2. Preview: each row with its line in the file, new / update / error, and each error. A file
   with any bad row cannot be confirmed.
3. Confirm: the same file, imported again for real in one transaction; any error rolls back
   every row. Each saved row writes its history row with the user and the reason "imported
   from <file>".

Between preview and confirm the file waits in the site's media storage (``imports/``), which
every app instance shares (the cache is per process in development, and a session is no
place for a large file). The page carries a signed token naming the stored file, its original
name and its uploader; the token expires after ``IMPORT_UPLOAD_MAX_AGE`` seconds, so the
storage needs no table of its own. The file is removed once imported, and files older than
that age are removed at every upload.
"""

import csv
import datetime
import io
import re
import secrets
from dataclasses import dataclass, field

from import_export import resources, widgets
from openpyxl import load_workbook
from tablib import Dataset

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import View

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from .exports import FORMULA_STARTS, spreadsheet_response

# Where uploads wait between preview and confirm, in the default (media) storage.
STORE = "imports"
SALT = "core.imports"
XLSX_MAGIC = b"PK\x03\x04"
# No import has this many columns; a sheet that claims more is not read cell by cell.
MAX_COLUMNS = 100
# What separates several values in one cell ("cadre、volunteer").
LIST_SEPARATORS = re.compile(r"\s*[,，、;；/|]\s*")


def max_upload_size():
    return getattr(settings, "IMPORT_MAX_UPLOAD_SIZE", 2 * 1024 * 1024)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def max_age():
    return getattr(settings, "IMPORT_UPLOAD_MAX_AGE", 60 * 60)


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for the person."""


def both_languages(label):
    """``label`` (a lazy translation) as English and as Chinese text."""
    texts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            texts.append(str(label))
    return texts


def normalise_heading(text):
    """A heading as compared: no surrounding spaces, no "*" marking it required, any case."""
    text = re.sub(r"\s+", " ", str(text or "")).strip().rstrip("*＊:：").strip()
    return text.casefold()


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------------------
# Widgets: how a cell becomes a value


class TextWidget(widgets.Widget):
    """Text as typed, without surrounding spaces; an empty cell is empty text."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateWidget(widgets.Widget):
    """A date cell of a workbook, or a date typed as 2024-07-01, 2024/7/1, 2024.7.1 or
    2024年7月1日; an empty cell is no date."""

    PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if is_empty(value):
            return None
        text = str(value).strip()
        # "2024-07-01 00:00:00", as a date-time cell saved to CSV reads.
        text = re.sub(r"\s+00:00(:00)?$", "", text)
        match = self.PATTERN.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise ValueError(_("Enter a date such as 2024-07-01."))

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """One of a field's choices, given by its stored value or its label in English or
    Chinese, in any case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    @cached_property
    def lookup(self):
        found = {}
        for value, label in self.choices:
            found[normalise_heading(value)] = value
            for text in both_languages(label):
                found[normalise_heading(text)] = value
        return found

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return ""
        try:
            return self.lookup[normalise_heading(value)]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": _("; ").join(str(c[1]) for c in self.choices)}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


# ---------------------------------------------------------------------------------------
# The resource: an app's rows


class ImportResource(resources.ModelResource):
    """A django-import-export resource with what every import here needs.

    - ``headings``: each column's key (the resource field's ``column_name``, and the model
      field's name where there is one) and its heading, a lazy translation; a file may use
      the heading in English or in Chinese, or the key. The template file lists them in
      this order, in the reader's language.
    - ``required_headings``: the keys a file must have.
    - An empty cell leaves an existing record's value as it is (a sheet of phone numbers does
      not blank everyone's address); it is empty on a new record.
    - Every saved record (and every record saved with it, see ``mark``) gets the importing
      user and the reason as its history row's user and reason.
    """

    headings = {}
    required_headings = ()

    class Meta:
        clean_model_instances = True
        skip_diff = True
        use_transactions = True
        report_skipped = True

    def __init__(self, user=None, reason="", **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.reason = reason

    @classmethod
    def heading_aliases(cls):
        """Every way a file may head a column, normalised, to the column's key."""
        aliases = {}
        for key, label in cls.headings.items():
            aliases[normalise_heading(key)] = key
            for text in both_languages(label):
                aliases[normalise_heading(text)] = key
        return aliases

    def heading(self, name):
        """The heading for a field name of an error (a column key or a model field)."""
        if name in self.headings:
            return capfirst(str(self.headings[name]))
        try:
            return capfirst(str(self._meta.model._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 - any name that is not a field reads as itself
            return name

    def row_label(self, row):
        """What names the row in the preview: its first column by default."""
        first = next(iter(self.headings), None)
        value = row.get(first) if first else ""
        return "" if is_empty(value) else str(value).strip()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if instance.pk is not None and is_empty(row.get(field.column_name)):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def mark(self, instance):
        """Give the next history rows of ``instance`` the importing user and the reason."""
        if self.user is not None:
            instance._history_user = self.user
        if self.reason:
            instance._change_reason = self.reason

    def before_save_instance(self, instance, row, **kwargs):
        self.mark(instance)

    @staticmethod
    def not_validated(instance):
        """The fields no import sets, left out of ``full_clean`` as a model form leaves them:
        those not editable, and a protected state (django-fsm refuses to have it set)."""
        return [
            field.name
            for field in instance._meta.concrete_fields
            if not field.editable or getattr(field, "protected", False)
        ]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's own errors and the model's validation (``full_clean``: fields, ``clean``,
        uniqueness), as the admin form validates the record."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *self.not_validated(instance)], validate_unique=validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def row_errors(self, row_result):
        """The row's errors, in words, each with the heading of its column."""
        found = []
        if row_result.validation_error is not None:
            error = row_result.validation_error
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    for message in errors:
                        if name == NON_FIELD_ERRORS:
                            found.append(message)
                        else:
                            found.append(
                                _("%(heading)s: %(message)s")
                                % {"heading": self.heading(name), "message": message}
                            )
            else:
                found.extend(error.messages)
        for error in row_result.errors:
            found.append(_("This row could not be saved: %(error)s") % {"error": error.error})
        return found


# ---------------------------------------------------------------------------------------
# Reading the file


@dataclass
class Sheet:
    """The file's rows under their column keys, and each row's line in the file."""

    keys: list
    rows: list = field(default_factory=list)
    lines: list = field(default_factory=list)

    def dataset(self):
        return Dataset(*self.rows, headers=self.keys)


def _cell(value):
    """A cell as the resource reads it: text without a spreadsheet's quirks, or a date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # A phone number in a number cell (13912345678.0).
        value = int(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    text = str(value).strip()
    # A cell this site exported (core.exports) starts a formula-like text with a quote.
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


def _decode(content):
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("The file's text could not be read: save it as CSV (UTF-8) or XLSX."))


def _csv_rows(content):
    try:
        text = _decode(content)
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _("The file's text could not be read: save it as CSV (UTF-8) or XLSX.")
        ) from error
    if "\x00" in text:
        raise ImportRefused(_("This is not a CSV file: save it as CSV (UTF-8) or XLSX."))
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for cells in reader:
            yield line, [_cell(cell) for cell in cells]
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportRefused(
            _("Line %(line)s of the file is not valid CSV.") % {"line": line}
        ) from error


def _xlsx_rows(content):
    if not content.startswith(XLSX_MAGIC):
        raise ImportRefused(_("This is not an XLSX file: save it as XLSX or CSV (UTF-8)."))
    try:
        yield from _workbook_rows(content)
    except ImportRefused:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged workbook fails in many ways
        # A zip that is no workbook (KeyError), damaged XML (ParseError), a bad cell value
        # (ValueError, TypeError): whatever openpyxl trips on, the person gets a message.
        raise ImportRefused(
            _("This is not an XLSX file: save it as XLSX or CSV (UTF-8).")
        ) from error


def _workbook_rows(content):
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        worksheet = workbook.worksheets[0]
        rows = worksheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for number, cells in enumerate(rows, start=1):
            if len(cells) > MAX_COLUMNS and not is_empty(cells[MAX_COLUMNS]):
                raise ImportRefused(
                    _("Line %(line)s has more than %(count)s columns.")
                    % {"line": number, "count": MAX_COLUMNS}
                )
            yield number, [_cell(cell) for cell in cells[:MAX_COLUMNS]]
    finally:
        workbook.close()


def file_kind(filename):
    """ "csv" or "xlsx" from the file's name; refused otherwise."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in ("csv", "xlsx"):
        raise ImportRefused(
            _("Only CSV and XLSX files can be imported (the file is “%(name)s”).")
            % {"name": filename}
        )
    return suffix


def read_sheet(content, kind, resource_class):
    """The rows of ``content`` (a CSV or XLSX file) under the resource's column keys.

    Raises ``ImportRefused`` for an empty file, one that cannot be read, too many rows, a
    heading the resource does not know, a heading twice or a required heading missing."""
    if not content:
        raise ImportRefused(_("The file is empty."))
    rows = _csv_rows(content) if kind == "csv" else _xlsx_rows(content)
    header = None
    sheet = None
    for line, cells in rows:
        if all(is_empty(cell) for cell in cells):
            continue
        if header is None:
            header = cells
            sheet = Sheet(keys=_keys(header, resource_class))
            continue
        if len(sheet.rows) >= max_rows():
            raise ImportRefused(
                _("The file has more than %(count)s rows: split it into smaller files.")
                % {"count": max_rows()}
            )
        cells = cells + [""] * (len(header) - len(cells))
        used = set(sheet.keys.values())
        stray = [
            index for index, cell in enumerate(cells) if index not in used and not is_empty(cell)
        ]
        if stray:
            raise ImportRefused(
                _("Line %(line)s has a value in column %(column)s, which has no heading.")
                % {"line": line, "column": column_letter(stray[0])}
            )
        sheet.rows.append([cells[index] for index in sheet.keys.values()])
        sheet.lines.append(line)
    if sheet is None:
        raise ImportRefused(_("The file is empty."))
    if not sheet.rows:
        raise ImportRefused(_("The file has headings but no rows."))
    sheet.keys = list(sheet.keys)
    return sheet


def column_letter(index):
    """A column as a spreadsheet names it: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _keys(header, resource_class):
    """{column key: index in the file's rows} for the file's headings."""
    aliases = resource_class.heading_aliases()
    keys, unknown = {}, []
    for index, heading in enumerate(header):
        if is_empty(heading):
            continue
        key = aliases.get(normalise_heading(heading))
        if key is None:
            unknown.append(str(heading).strip())
        elif key in keys:
            raise ImportRefused(
                _("The column “%(heading)s” appears twice.") % {"heading": str(heading).strip()}
            )
        else:
            keys[key] = index
    if unknown:
        raise ImportRefused(
            _("Unknown column headings: %(unknown)s. The columns are: %(known)s.")
            % {
                "unknown": _("; ").join(f"“{heading}”" for heading in unknown),
                "known": _("; ").join(
                    capfirst(str(label)) for label in resource_class.headings.values()
                ),
            }
        )
    missing = [key for key in resource_class.required_headings if key not in keys]
    if missing:
        raise ImportRefused(
            _("The file needs the columns: %(missing)s.")
            % {
                "missing": _("; ").join(
                    capfirst(str(resource_class.headings[key])) for key in missing
                )
            }
        )
    return keys


# ---------------------------------------------------------------------------------------
# Where the file waits between preview and confirm


def purge_expired_uploads(now=None):
    """Remove the uploads older than ``IMPORT_UPLOAD_MAX_AGE``: their tokens have expired."""
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=max_age())
    try:
        _dirs, files = default_storage.listdir(STORE)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        stored = f"{STORE}/{name}"
        try:
            if default_storage.get_modified_time(stored) < cutoff:
                default_storage.delete(stored)
        except (FileNotFoundError, NotImplementedError):
            continue


def keep_upload(content, kind, filename, user, importer_name):
    """Store ``content`` for the confirmation; the signed token that names it."""
    stored = default_storage.save(f"{STORE}/{secrets.token_hex(16)}.{kind}", ContentFile(content))
    return signing.dumps(
        {"file": stored, "name": filename, "kind": kind, "user": user.pk, "for": importer_name},
        salt=SALT,
    )


def load_upload(token, user, importer_name):
    """(content, kind, original name, stored name) for a token of this user and importer;
    None when the token is missing, forged, expired, not theirs, or its file is gone."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=max_age())
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk or data.get("for") != importer_name:
        return None
    stored = data.get("file", "")
    if not stored.startswith(f"{STORE}/") or not default_storage.exists(stored):
        return None
    with default_storage.open(stored, "rb") as stored_file:
        content = stored_file.read()
    return content, data["kind"], data["name"], stored


def clean_filename(name):
    """The uploaded file's name as shown and kept in the history: no folders, no controls."""
    name = re.split(r"[\\/]", str(name or ""))[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:150]


# ---------------------------------------------------------------------------------------
# The views


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ImportView(WagtailAdminTemplateMixin, View):
    """Upload (GET: the form; POST: check and preview) for one ``Importer``."""

    importer = None
    header_icon = "upload"
    template_name = "core/admin/import_upload.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.importer.may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.importer.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.importer.index_url, "label": self.importer.listing_label},
            {"url": "", "label": self.importer.title},
        ]

    def get_context_data(self, **kwargs):
        resource_class = self.importer.resource_class
        return super().get_context_data(
            importer=self.importer,
            headings=[
                (capfirst(str(label)), key in resource_class.required_headings)
                for key, label in resource_class.headings.items()
            ],
            max_size_mb=round(max_upload_size() / (1024 * 1024), 1),
            max_rows=max_rows(),
            **kwargs,
        )

    def get(self, request):
        return self.render_to_response(self.get_context_data(form=UploadForm()))

    def render_preview(self, preview, filename, token):
        """Each row of the file and what the import does (or would do) with it; the button to
        confirm when ``token`` names the stored file (only for a file without errors)."""
        self.template_name = "core/admin/import_preview.html"
        headings = self.importer.resource_class.headings
        return self.render_to_response(
            self.get_context_data(
                preview=preview,
                filename=filename,
                token=token,
                columns=[capfirst(str(headings[key])) for key in preview.keys],
                form=UploadForm(),
            )
        )

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        filename = clean_filename(upload.name)
        try:
            kind = file_kind(filename)
            if upload.size > max_upload_size():
                raise ImportRefused(
                    _("The file is larger than %(size)s MB: split it into smaller files.")
                    % {"size": round(max_upload_size() / (1024 * 1024), 1)}
                )
            content = upload.read()
            sheet = read_sheet(content, kind, self.importer.resource_class)
        except ImportRefused as refusal:
            form.add_error("file", str(refusal))
            return self.render_to_response(self.get_context_data(form=form))
        purge_expired_uploads()
        preview = self.importer.run(sheet, request.user, filename, dry_run=True)
        token = None
        if preview.is_valid:
            token = keep_upload(content, kind, filename, request.user, self.importer.url_name)
        return self.render_preview(preview, filename, token)


class ConfirmView(ImportView):
    """The second step: the stored file imported for real, all or nothing."""

    http_method_names = ["post"]

    def post(self, request):
        loaded = load_upload(request.POST.get("upload"), request.user, self.importer.url_name)
        if loaded is None:
            messages.error(
                request,
                _(
                    "The uploaded file is no longer here (uploads are kept for %(minutes)s "
                    "minutes, and only until they are imported). Nothing was imported: "
                    "upload the file again."
                )
                % {"minutes": max_age() // 60},
            )
            return redirect(self.importer.upload_url)
        content, kind, filename, stored = loaded
        try:
            sheet = read_sheet(content, kind, self.importer.resource_class)
        except ImportRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(self.importer.upload_url)
        outcome = self.importer.run(sheet, request.user, filename, dry_run=False)
        # Imported or refused, this upload is spent: a mended file is uploaded again.
        default_storage.delete(stored)
        if not outcome.is_valid:
            messages.error(
                request,
                _(
                    "Nothing was imported: some rows have errors. Mend them and upload the file again."
                ),
            )
            return self.render_preview(outcome, filename, None)
        messages.success(
            request,
            _("Imported “%(file)s”: %(new)s new, %(updated)s updated.")
            % {"file": filename, "new": outcome.new, "updated": outcome.updated},
        )
        return redirect(self.importer.index_url)


@dataclass
class Preview:
    """What an import did or would do: each row, and the counts."""

    rows: list
    base_errors: list
    # The file's columns, by key, in its order.
    keys: list

    @property
    def new(self):
        return sum(1 for row in self.rows if row["kind"] == "new")

    @property
    def updated(self):
        return sum(1 for row in self.rows if row["kind"] == "update")

    @property
    def bad(self):
        return sum(1 for row in self.rows if row["kind"] == "error")

    @property
    def is_valid(self):
        return not self.base_errors and not self.bad


@dataclass
class Importer:
    """One import of the admin: its resource, who may run it, where it lives."""

    resource_class: type
    url_name: str
    title: str
    # Every one of these is needed (to add records and to change those the file updates).
    permissions: tuple
    index_url_name: str
    # The template file's name, without its extension.
    filename: str
    listing_label: str = ""

    def may_import(self, user):
        return user.is_active and user.has_perms(self.permissions)

    @property
    def upload_url(self):
        return reverse(self.url_name)

    @property
    def confirm_url(self):
        return reverse(f"{self.url_name}_confirm")

    @property
    def index_url(self):
        return reverse(self.index_url_name)

    def template_url(self, kind):
        return reverse(f"{self.url_name}_template", args=[kind])

    @property
    def template_url_csv(self):
        return self.template_url("csv")

    @property
    def template_url_xlsx(self):
        return self.template_url("xlsx")

    def urlpatterns(self, prefix):
        """The three views under ``prefix`` (e.g. ``"people/import/"``) of the admin."""
        return [
            path(prefix, ImportView.as_view(importer=self), name=self.url_name),
            path(
                f"{prefix}confirm/",
                ConfirmView.as_view(importer=self),
                name=f"{self.url_name}_confirm",
            ),
            path(
                f"{prefix}template.<str:kind>",
                self.template_view,
                name=f"{self.url_name}_template",
            ),
        ]

    def template_view(self, request, kind):
        """The empty file to fill in: the headings, in the reader's language."""
        if not self.may_import(request.user):
            raise PermissionDenied
        if kind not in ("csv", "xlsx"):
            raise Http404
        headings = [capfirst(str(label)) for label in self.resource_class.headings.values()]
        return spreadsheet_response(kind, headings, [], f"{self.filename}-template")

    def reason(self, filename):
        return _("Imported from the file “%(file)s”") % {"file": filename}

    def run(self, sheet, user, filename, *, dry_run):
        """Import ``sheet``: a dry run (rolled back) or for real, in one transaction that is
        rolled back whole when any row fails."""
        resource = self.resource_class(user=user, reason=self.reason(filename))
        dataset = sheet.dataset()
        with transaction.atomic():
            result = resource.import_data(
                dataset,
                dry_run=dry_run,
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            preview = self._preview(resource, sheet, dataset, result)
            if not preview.is_valid:
                transaction.set_rollback(True)
        return preview

    def _preview(self, resource, sheet, dataset, result):
        labels = {
            "new": pgettext("import row", "new"),
            "update": pgettext("import row", "update"),
            "error": pgettext("import row", "error"),
        }
        rows = []
        for index, row_result in enumerate(result.rows):
            row = dict(zip(dataset.headers, dataset[index], strict=True))
            errors = resource.row_errors(row_result)
            if errors or row_result.import_type in ("error", "invalid"):
                kind = "error"
            elif row_result.import_type == "update":
                kind = "update"
            else:
                kind = "new"
            rows.append(
                {
                    "line": sheet.lines[index],
                    "kind": kind,
                    "kind_label": labels[kind],
                    "label": resource.row_label(row),
                    "cells": [_shown(row[key]) for key in dataset.headers],
                    "errors": errors
                    or ([_("This row could not be imported.")] if kind == "error" else []),
                }
            )
        base_errors = [
            _("The file could not be imported: %(error)s") % {"error": error.error}
            for error in result.base_errors
        ]
        return Preview(rows=rows, base_errors=base_errors, keys=list(dataset.headers))


def _shown(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class ImportButtonMixin:
    """For a listing view: an "Import" button in its header for those who may import.
    Set ``importer`` to the app's ``Importer``."""

    importer = None

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.importer is not None and self.importer.may_import(self.request.user):
            buttons.append(
                HeaderButton(
                    gettext_lazy("Import"), url=self.importer.upload_url, icon_name="upload"
                )
            )
        return buttons
