"""Moments as the public pages print them: in the site's time zone, in the reader's language.

One place for what every list and page writes beside its rows, so that the front page, the
meeting lists, a hearing and the notice board say a moment the same way.
"""

from django.utils import timezone
from django.utils.formats import date_format


def local_datetime(moment):
    """``moment`` (an aware datetime) in the site's time zone, as the reader's language writes
    a date and time."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def local_date(moment):
    """The day of ``moment`` (an aware datetime) in the site's time zone, as the reader's
    language writes a date."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")
