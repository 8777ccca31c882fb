"""Meeting clerks' work on a vote beside its steps (``core.transition_views``): the roll
call in the hall and the results."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext

from wagtail.snippets.views.snippets import EditView

from core.exports import spreadsheet_response
from core.sorting import natural_key
from core.viewsets import SnippetIndexView
from people.models import Person

from .forms import HallCountForm
from .models import Ballot, BallotChannel, BallotReceipt, HallCount, Motion, MotionState
from .services import (
    COUNT_ENTERED,
    NOTHING_TO_COUNT,
    VoteRefused,
    cast,
    record_attendance,
    record_hall_count,
)
from .tally import tally

RUN = "votes.run_motion"


NOT_PRESENT = _lazy("not marked present in the hall, so no ballot is recorded.")


def _require_run(request):
    if not request.user.has_perm(RUN):
        raise PermissionDenied


def listing_url():
    return reverse(Motion.snippet_viewset.get_url_name("list"))


def _on_the_roll(motion):
    """Who is on the roll, by building and unit in natural order (1号楼 before 10号楼)."""
    return sorted(
        Person.objects.filter(pk__in=motion.roll.values("person_id")),
        key=lambda person: natural_key(person.building, person.unit, person.name),
    )


# --- Editing: a draft only ---------------------------------------------------------------

# A vote is set up while it is a draft; from its opening on, what was put to the vote stays
# as it was (``MotionForm`` refuses the save as well).
NOT_EDITABLE = _lazy("This vote is %(state)s: it can no longer be changed.")


def editable(motion):
    return motion.state == MotionState.DRAFT


class MotionEditView(EditView):
    """The edit form, for a draft only: any other vote is sent to its read-only view with
    the reason (GET and POST alike), rather than shown a form that refuses to save."""

    def run_before_hook(self):
        if not editable(self.object):
            messages.error(self.request, NOT_EDITABLE % {"state": self.object.get_state_display()})
            return redirect(self.inspect_url_name, quote(self.object.pk))
        return super().run_before_hook()


class MotionIndexView(SnippetIndexView):
    """The listing links a vote that can no longer be edited to its read-only view, and
    offers no "Edit" for it."""

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if editable(instance) else None


def roll_call(request, pk):
    """The hall: for a named vote the clerk records each present person's choice; for a
    secret vote, who took a paper ballot and then the counted totals, never a choice."""
    _require_run(request)
    motion = get_object_or_404(Motion, pk=pk)
    if motion.state != MotionState.OPEN:
        messages.error(request, _("The roll call is only for an open vote."))
        return redirect(listing_url())
    if motion.secret:
        return _secret_hall(request, motion)
    return _named_hall(request, motion)


def _page(request, motion, template_context, status=200):
    # Everyone on the roll stays on the page: who has voted is shown with how (online or in
    # the hall), without a choice to make, so the clerk can tell them "you have voted".
    voted = dict(BallotReceipt.objects.filter(motion=motion).values_list("person_id", "channel"))
    everyone = _on_the_roll(motion)
    for person in everyone:
        person.voted_channel = voted.get(person.pk, "")
    roll = [person for person in everyone if not person.voted_channel]
    return TemplateResponse(
        request,
        "votes/admin/roll_call.html",
        {
            "motion": motion,
            "roll": roll,
            "everyone": everyone,
            "voted_count": len(voted),
            "header_title": _("Roll call: %(motion)s") % {"motion": motion},
            **template_context,
        },
        status=status,
    )


def _named_hall(request, motion):
    """One row per eligible person who has not voted yet: present or not, and their choice."""
    if request.method == "POST":
        recorded, refused = 0, []
        # Everyone on the roll, not only those the form listed: whoever voted online since
        # the form was drawn is refused by ``cast`` with a message, not silently skipped.
        for person in _on_the_roll(motion):
            choice = request.POST.get(f"person-{person.pk}", "")
            if not choice:
                continue  # present without voting, or absent: nothing is recorded for them
            if not request.POST.get(f"present-{person.pk}"):
                # Only someone in the hall can vote in the hall; recording them anyway would
                # take their online vote from them.
                refused.append(f"{person.name}: {NOT_PRESENT}")
                continue
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
    return _page(request, motion, {"options": list(motion.options.order_by("sort_order", "pk"))})


def _secret_hall(request, motion):
    """Step 1, who took a paper ballot (a hall receipt each); step 2, the counted totals.

    Nothing posted or shown here ties a person to a choice: the attendance form lists people
    and no options, the count form lists options and no people.
    """
    count_form = None
    if request.method == "POST" and request.POST.get("step") == "attendance":
        wanted = set(request.POST.getlist("present"))
        recorded, refused = 0, []
        for person in _on_the_roll(motion):
            if str(person.pk) not in wanted:
                continue
            try:
                record_attendance(motion.pk, person, recorded_by=request.user)
            except VoteRefused as refusal:
                refused.append(f"{person.name}: {refusal.message}")
            else:
                recorded += 1
        if recorded:
            messages.success(
                request, _("Paper ballots handed out: %(count)d.") % {"count": recorded}
            )
        for message in refused:
            messages.error(request, message)
        return redirect(reverse("votes_roll_call", args=[motion.pk]))
    handed_out = motion.paper_ballots_outstanding()
    options = motion.options.order_by("sort_order", "pk")
    hall_count = HallCount.objects.filter(motion=motion).first()
    if request.method == "POST" and request.POST.get("step") == "count":
        refusal = COUNT_ENTERED if hall_count else NOTHING_TO_COUNT if handed_out <= 0 else None
        if refusal:
            messages.error(request, refusal)
            return redirect(reverse("votes_roll_call", args=[motion.pk]))
        count_form = HallCountForm(request.POST, options=options, handed_out=handed_out)
        if count_form.is_valid():
            try:
                record_hall_count(motion.pk, count_form.totals(), counted_by=request.user)
            except VoteRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(
                    request,
                    _("The hall's count is recorded (paper ballots: %(count)d).")
                    % {"count": handed_out},
                )
            return redirect(reverse("votes_roll_call", args=[motion.pk]))
    elif request.method == "POST":
        messages.error(request, _("Nothing was recorded: choose a step of the roll call."))
        return redirect(reverse("votes_roll_call", args=[motion.pk]))
    if count_form is None and hall_count is None and handed_out > 0:
        count_form = HallCountForm(options=options, handed_out=handed_out)
    return _page(
        request,
        motion,
        {"hall_count": hall_count, "handed_out": handed_out, "count_form": count_form},
        status=400 if count_form is not None and count_form.is_bound else 200,
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
            [_("Option"), pgettext("number of votes", "Votes"), _("Share of votes cast")],
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
