"""The calendar of briefings and hearings."""

from icalendar import Calendar, Event

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from wagtail.models import Site

from .models import BriefingPage, HearingPage

MEETINGS = ((BriefingPage, "briefing"), (HearingPage, "hearing"))
# The largest id a database holds (a signed 64-bit integer). A page type's id is a link to its
# page, and Django's lookups through a link leave a larger number to the database: SQLite
# refuses it (a server error), so an address past it is simply not found.
MAX_ID = 2**63 - 1
FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "venue",
    "url_path",
    "path",
    "depth",
    "last_published_at",
)


def _calendar(request, name):
    calendar = Calendar()
    calendar.add("prodid", "-//Community CMS//briefings and hearings//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(meeting, kind, request, host, stamp):
    event = Event()
    # Stable across edits, renames and hosts: the kind, the page's id and the Site's name.
    event.add("uid", f"{kind}-{meeting.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.title)
    event.add("location", meeting.venue)
    # The page as the reader reached the site (core.links), not the Site record's host.
    event.add("url", meeting.get_full_url(request))
    if meeting.last_published_at:
        event.add("last-modified", meeting.last_published_at)
    return event


def _response(calendar, filename, disposition="inline"):
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _uid_host(site, request):
    return site.hostname if site else request.get_host()


@require_safe
@cache_control(max_age=900, public=True)
def calendar_ics(request):
    """Every published briefing and hearing as an iCalendar event (RFC 5545)."""
    site = Site.find_for_request(request)
    host = _uid_host(site, request)
    calendar = _calendar(
        request,
        site.site_name if site and site.site_name else _("Briefings and hearings"),
    )
    stamp = timezone.now()
    for model, kind in MEETINGS:
        for meeting in model.objects.published().order_by("starts_at").only(*FIELDS):
            calendar.add_component(_event(meeting, kind, request, host, stamp))
    return _response(calendar, "calendar.ics")


@require_safe
@cache_control(max_age=900, public=True)
def event_ics(request, pk):
    """One published briefing or hearing, to add to a calendar ("add to calendar")."""
    meeting = kind = None
    for model, model_kind in MEETINGS if pk <= MAX_ID else ():
        meeting = model.objects.published().filter(pk=pk).only(*FIELDS).first()
        if meeting is not None:
            kind = model_kind
            break
    if meeting is None:
        raise Http404(_("There is no published briefing or hearing at this address."))
    site = Site.find_for_request(request)
    calendar = _calendar(request, meeting.title)
    calendar.add_component(_event(meeting, kind, request, _uid_host(site, request), timezone.now()))
    # Downloaded, so that the browser hands the file to the calendar, without JavaScript.
    return _response(calendar, f"{kind}-{meeting.pk}.ics", disposition="attachment")
