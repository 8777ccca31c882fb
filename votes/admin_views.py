"""Meeting clerks' work on a vote: its steps, the roll call in the hall, the results."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.transitions import TransitionRefused, perform
from people.models import Person

from .models import Ballot, BallotReceipt, Channel, Motion, State
from .services import VoteRefused, cast

TRANSITIONS = {
    "open": gettext_lazy("Open for voting"),
    "close": gettext_lazy("Close the vote"),
    "publish_results": gettext_lazy("Publish the results"),
}
RUN = "votes.run_motion"


def _require_run(request):
    if not request.user.has_perm(RUN):
        raise PermissionDenied


def listing_url():
    return reverse(Motion.snippet_viewset.get_url_name("list"))


def transition_view(request, pk, name):
    _require_run(request)
    if name not in TRANSITIONS:
        raise PermissionDenied
    motion = get_object_or_404(Motion, pk=pk)
    if request.method == "POST":
        try:
            perform(motion, name, request.user, reason=request.POST.get("reason", "")[:500])
        except TransitionRefused:
            if name == "open" and not motion.has_options():
                messages.error(request, _("A vote needs at least two options before it opens."))
            else:
                messages.error(
                    request,
                    _("“%(motion)s” is %(state)s: that step is not possible.")
                    % {"motion": motion, "state": motion.get_state_display()},
                )
        else:
            messages.success(
                request,
                _("%(step)s: “%(motion)s”.") % {"step": TRANSITIONS[name], "motion": motion},
            )
        return redirect(listing_url())
    return TemplateResponse(
        request,
        "votes/admin/confirm.html",
        {
            "motion": motion,
            "step": TRANSITIONS[name],
            "header_title": TRANSITIONS[name],
            "cancel_url": listing_url(),
        },
    )


def roll_call(request, pk):
    """One row per eligible person who has not voted yet; the clerk records each choice."""
    _require_run(request)
    motion = get_object_or_404(Motion, pk=pk)
    if motion.state != State.OPEN:
        messages.error(request, _("The roll call is only for an open vote."))
        return redirect(listing_url())
    voted = set(BallotReceipt.objects.filter(motion=motion).values_list("person_id", flat=True))
    roll = list(
        Person.objects.filter(pk__in=motion.roll.values("person_id"))
        .exclude(pk__in=voted)
        .order_by("building", "name")
    )
    options = list(motion.options.order_by("sort_order", "pk"))
    if request.method == "POST":
        recorded, refused = 0, []
        # Everyone on the roll, not only those the form listed: whoever voted online since
        # the form was drawn is refused by ``cast`` with a message, not silently skipped.
        for person in Person.objects.filter(pk__in=motion.roll.values("person_id")).order_by(
            "building", "name"
        ):
            choice = request.POST.get(f"person-{person.pk}", "")
            if not choice:
                continue  # absent, or did not vote: nothing is recorded for them
            try:
                cast(motion.pk, person, choice, channel=Channel.HALL, recorded_by=request.user)
            except VoteRefused as refusal:
                refused.append(f"{person.name}: {refusal.message}")
            else:
                recorded += 1
        if recorded:
            messages.success(request, _("%(count)d ballots recorded.") % {"count": recorded})
        for message in refused:
            messages.error(request, message)
        return redirect(reverse("votes_roll_call", args=[motion.pk]))
    return TemplateResponse(
        request,
        "votes/admin/roll_call.html",
        {
            "motion": motion,
            "roll": roll,
            "options": options,
            "voted_count": len(voted),
            "header_title": _("Roll call: %(motion)s") % {"motion": motion},
        },
    )


def results(request, pk):
    """The count for clerks once a vote has closed; CSV with ?export=csv (and the named
    ballot list with ?export=ballots, never for a secret vote)."""
    _require_run(request)
    motion = get_object_or_404(Motion, pk=pk)
    if motion.state not in (State.CLOSED, State.PUBLISHED):
        messages.error(request, _("Results are counted once the vote has closed."))
        return redirect(listing_url())
    result = motion.tally()
    export = request.GET.get("export")
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vote-{motion.pk}-results.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Option"), _("Votes"), _("Share of votes cast")])
        for count in result.counts:
            writer.writerow([count.label, count.votes, f"{count.share:.1%}"])
        writer.writerow([_("Votes cast"), result.cast, ""])
        writer.writerow([_("Eligible roll"), result.roll, ""])
        writer.writerow([_("Quorum reached"), _("yes") if result.quorum_met else _("no"), ""])
        writer.writerow([_("Outcome"), str(result.outcome), ""])
        return response
    if export == "ballots":
        if motion.secret:
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="vote-{motion.pk}-ballots.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Voter"), _("Option"), _("Cast at")])
        for ballot in (
            Ballot.objects.filter(motion=motion)
            .select_related("voter", "option")
            .order_by("voter__name")
        ):
            writer.writerow(
                [
                    ballot.voter.name if ballot.voter else "",
                    ballot.option.label,
                    ballot.cast_at.isoformat() if ballot.cast_at else "",
                ]
            )
        return response
    return TemplateResponse(
        request,
        "votes/admin/results.html",
        {
            "motion": motion,
            "result": result,
            "header_title": _("Results: %(motion)s") % {"motion": motion},
        },
    )
