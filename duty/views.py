"""The residents' side: this month's roster, who serves which post, and after-hours requests."""

import datetime

from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import site_not_found
from core.ratelimit import PublicFormLimit
from core.references import MAX_LENGTH, normalise_reference

from .forms import RequestForm
from .models import (
    CLOSED_STATES,
    DutyRecord,
    PostAssignment,
    RequestChannel,
)
from .notify import request_filed
from .roster import published_tables


def _month(day):
    return day.replace(day=1)


def _next_month(first):
    return (first + datetime.timedelta(days=32)).replace(day=1)


@require_safe
def roster(request):
    """This month's published roster, and next month's once it is published."""
    today = timezone.localdate()
    this_month = _month(today)
    return TemplateResponse(
        request,
        "duty/roster.html",
        {
            "rosters": published_tables([this_month, _next_month(this_month)], today),
            "this_month": this_month,
            "today": today,
        },
    )


@require_safe
def posts(request):
    """Who serves which post: names and posts only."""
    assignments = (
        PostAssignment.objects.current()
        .select_related("post", "person")
        .only("post__name", "post__duties", "post__sort_order", "person__name", "skill")
    )
    by_post = {}
    for assignment in assignments:
        by_post.setdefault(assignment.post, []).append(assignment)
    return TemplateResponse(request, "duty/posts.html", {"posts": by_post.items()})


REQUEST_LIMIT = PublicFormLimit("duty_request")


def _too_many_requests(minutes):
    return ngettext(
        "You have filed several requests in a short time. Please try again in %(minutes)d minute, or call the duty phone.",
        "You have filed several requests in a short time. Please try again in %(minutes)d minutes, or call the duty phone.",
        minutes,
    ) % {"minutes": minutes}


@require_http_methods(["GET", "HEAD", "POST"])
def file_request(request):
    form = RequestForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        minutes = REQUEST_LIMIT.minutes_to_wait(request)
        if minutes:
            status, error = 429, _too_many_requests(minutes)
        elif form.is_bot:
            # Nothing is kept, and a bot learns nothing from the answer.
            return redirect("duty:request")
        elif not form.is_valid():
            status = 400
        # Counted and checked in one step: of a burst sent at once, only the limit is kept.
        elif minutes := REQUEST_LIMIT.take(request):
            status, error = 429, _too_many_requests(minutes)
        else:
            record = form.save(commit=False)
            record.channel = RequestChannel.ONLINE
            # The request with its history row and its link in the audit chain, or nothing.
            with transaction.atomic():
                record.save()
            request_filed(record)
            return redirect(
                reverse("duty:request_status", kwargs={"reference": record.reference}) + "?filed=1"
            )
    return TemplateResponse(
        request, "duty/request_form.html", {"form": form, "error": error}, status=status
    )


FOLLOW_BOX = "duty/includes/follow_box.html"


def _unknown_reference():
    return Http404(
        _(
            "There is no request with this reference. Please check it against the one you "
            "wrote down and type it again."
        )
    )


@require_safe
@site_not_found(follow_box=FOLLOW_BOX)
def follow_request(request):
    """The "follow my request" box: what was typed, read leniently, to the request's page."""
    reference = normalise_reference(request.GET.get("reference", "")[: MAX_LENGTH * 2])
    if not reference:
        raise _unknown_reference()
    return redirect("duty:request_status", reference=reference)


@never_cache
@require_safe
@site_not_found(follow_box=FOLLOW_BOX)
def request_status(request, reference):
    """A request as its resident may see it: no name, phone or place; the answer once the
    request is closed (resolved or referred), not while a cadre is still at work on it."""
    canonical = normalise_reference(reference)
    if not canonical:
        raise _unknown_reference()
    if canonical != reference:
        # Typed by hand in lower case or without hyphens: one address per request.
        return redirect("duty:request_status", reference=canonical)
    record = (
        DutyRecord.objects.filter(reference=canonical)
        .only(
            "reference",
            "received_at",
            "category",
            "state",
            "answer",
            "result",
            "due_at",
            "answered_at",
            "closed_at",
            "request",
        )
        .first()
    )
    if record is None:
        raise _unknown_reference()
    return TemplateResponse(
        request,
        "duty/request_status.html",
        {
            "record": record,
            "closed": record.state in CLOSED_STATES,
            "just_filed": request.GET.get("filed") == "1",
            "follow_box": FOLLOW_BOX,
        },
    )
