"""Meeting clerks' work on a vote beside its steps (``core.transition_views``): the roll
call in the hall and the results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from core.exports import spreadsheet_response
from people.models import Person

from .models import Ballot, BallotChannel, BallotReceipt, Motion, MotionState
from .services import VoteRefused, cast
from .tally import tally

RUN = "votes.run_motion"


def _require_run(request):
    if not request.user.has_perm(RUN):
        raise PermissionDenied


def listing_url():
    return reverse(Motion.snippet_viewset.get_url_name("list"))


def roll_call(request, pk):
    """One row per eligible person who has not voted yet; the clerk records each choice."""
    _require_run(request)
    motion = get_object_or_404(Motion, pk=pk)
    if motion.state != MotionState.OPEN:
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
                cast(
                    motion.pk, person, choice, channel=BallotChannel.HALL, recorded_by=request.user
                )
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
    """The count for clerks once a vote has closed: ?export=csv or ?export=xlsx downloads it;
    ?export=ballots (with &format=xlsx for XLSX) the named ballot list, never for a secret
    vote."""
    _require_run(request)
    motion = get_object_or_404(Motion, pk=pk)
    if motion.state not in (MotionState.CLOSED, MotionState.PUBLISHED):
        messages.error(request, _("Results are counted once the vote has closed."))
        return redirect(listing_url())
    result = tally(motion)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = [[count.label, count.votes, f"{count.share:.1%}"] for count in result.counts]
        rows += [
            [_("Votes cast"), result.cast, ""],
            [_("Eligible roll"), result.roll, ""],
            [_("Quorum reached"), _("yes") if result.quorum_met else _("no"), ""],
            [_("Outcome"), str(result.outcome), ""],
        ]
        return spreadsheet_response(
            export,
            [_("Option"), _("Votes"), _("Share of votes cast")],
            rows,
            f"vote-{motion.pk}-results",
            sheet_title=_("Results"),
        )
    if export == "ballots":
        if motion.secret:
            raise PermissionDenied
        ballots = (
            Ballot.objects.filter(motion=motion)
            .select_related("voter", "option")
            .order_by("voter__name")
        )
        return spreadsheet_response(
            "xlsx" if request.GET.get("format") == "xlsx" else "csv",
            [_("Voter"), _("Option"), _("Cast at")],
            [
                [ballot.voter.name if ballot.voter else "", ballot.option.label, ballot.cast_at]
                for ballot in ballots
            ],
            f"vote-{motion.pk}-ballots",
            sheet_title=_("Ballots"),
        )
    return TemplateResponse(
        request,
        "votes/admin/results.html",
        {
            "motion": motion,
            "result": result,
            "header_title": _("Results: %(motion)s") % {"motion": motion},
        },
    )
