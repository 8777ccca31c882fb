"""Publishing a hearing's decision, and the calendar of briefings and hearings."""

from icalendar import Calendar, Event

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from wagtail.log_actions import log
from wagtail.models import Site

from audit.transitions import TransitionRefused, may_make, perform
from core.pages import public

from .models import BriefingPage, HearingPage


def publish_decision(request, page_id):
    page = get_object_or_404(HearingPage, pk=page_id)
    # The roles decide who may; what the page's state and dates do not allow yet is shown
    # as blockers (django-fsm's has_transition_perm counts those as no permission).
    if not may_make(page, "publish_decision", request.user):
        raise PermissionDenied
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    blockers = page.decision_blockers()
    if request.method == "POST":
        try:
            perform(page, "publish_decision", request.user)
        except TransitionRefused:
            messages.error(
                request,
                _("The decision cannot be published yet: %(why)s")
                % {"why": " ".join(str(b) for b in blockers)},
            )
        else:
            log(instance=page, action="hearings.publish_decision", user=request.user)
            messages.success(
                request, _("The decision on “%(title)s” is published.") % {"title": page.title}
            )
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "hearings/admin/publish_decision.html",
        {
            "page": page,
            "blockers": blockers,
            "edit_url": edit_url,
            "header_title": _("Publish the decision"),
        },
    )


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
            public(model.objects.live(), request)
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
