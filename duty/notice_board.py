"""The record book for the notice board: one month's requests, printable, with nothing
personal on it (no name, contact, place or request text): what came in, of what kind, when,
and what became of it. Staff who may read the record book open it from the admin menu and
print it (the site's print stylesheet leaves the page alone on paper)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wagtail import hooks

from core.forms import FIRST_YEAR, LAST_YEAR
from core.menus import PermissionMenuItem
from core.models import CommunitySettings

from .models import DutyRecord, DutyRecordState

VIEW = "duty.view_dutyrecord"


def _month(text, today):
    """The first day of the month ``text`` names ("2026-12"), or of this month when it names
    none or no real one (a typed address never answers a server error). Only the years a
    report may be asked for: the page links the months either side, and the first and last
    years Python's dates hold have none."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(year)
        return datetime.date(year, month, 1)
    except (TypeError, ValueError, OverflowError):
        return today.replace(day=1)


def record_book_print(request):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    today = timezone.localdate()
    first = _month(request.GET.get("month", ""), today)
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(after, datetime.time.min, tzinfo=zone)
    records = DutyRecord.objects.filter(received_at__gte=start, received_at__lt=end).order_by(
        "received_at", "pk"
    )
    # Only what may hang on a notice board: never ``resident_*``, ``place`` or the texts.
    rows = list(
        records.only(
            "reference", "received_at", "category", "channel", "state", "answered_at", "closed_at"
        )
    )
    by_state = dict(records.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    states = [(label, by_state.get(value, 0)) for value, label in DutyRecordState.choices]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    return TemplateResponse(
        request,
        "duty/admin/record_book_print.html",
        {
            "records": rows,
            "states": states,
            "month": first,
            "month_value": first.strftime("%Y-%m"),
            "previous": previous.strftime("%Y-%m"),
            "next": after.strftime("%Y-%m") if after <= today else "",
            "community": CommunitySettings.for_request(request),
            "header_title": _("Record book for the notice board"),
        },
    )


@hooks.register("register_admin_urls")
def register_urls():
    return [path("duty/record-book/print/", record_book_print, name="duty_record_book_print")]


@hooks.register("register_admin_menu_item")
def record_book_print_menu_item():
    return PermissionMenuItem(
        _lazy("Record book for the notice board"),
        reverse("duty_record_book_print"),
        icon_name="doc-full",
        order=276,
        permissions=[VIEW],
    )
