"""The calendar of briefings and hearings."""

from icalendar import Calendar, Event

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from wagtail.models import Site

from .models import BriefingPage, HearingPage


@require_safe
@cache_control(max_age=900, public=True)
def calendar_ics(request):
    """Every published briefing and hearing as an iCalendar event (RFC 5545)."""
    site = Site.find_for_request(request)
    host = site.hostname if site else request.get_host()
    calendar = Calendar()
    calendar.add("prodid", "-//Community CMS//briefings and hearings//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add(
        "x-wr-calname", site.site_name if site and site.site_name else _("Briefings and hearings")
    )
    stamp = timezone.now()
    for model, kind in ((BriefingPage, "briefing"), (HearingPage, "hearing")):
        meetings = (
            model.objects.published()
            .order_by("starts_at")
            .only(
                "title",
                "starts_at",
                "ends_at",
                "venue",
                "url_path",
                "path",
                "depth",
                "last_published_at",
            )
        )
        for meeting in meetings:
            event = Event()
            # Stable across edits and renames: the kind and the page's id.
            event.add("uid", f"{kind}-{meeting.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", meeting.starts_at)
            event.add("dtend", meeting.end)
            event.add("summary", meeting.title)
            event.add("location", meeting.venue)
            event.add("url", meeting.get_full_url(request))
            if meeting.last_published_at:
                event.add("last-modified", meeting.last_published_at)
            calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    return response
