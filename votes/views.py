"""The public side: open votes, the representatives' online ballot, published results."""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.cache import until_purged
from core.paging import slice_page

from .api import evaluation_brief
from .models import BallotReceipt, Motion, MotionKind, MotionState, RollEntry
from .services import VoteRefused, cast, check
from .tally import counted, tally


def _person(request):
    user = request.user
    if not user.is_authenticated:
        return None
    return getattr(user, "person", None)


def _standing(motion, user):
    """Whether ``user``'s person in the register is on the motion's roll and has voted, in
    one query (the person is not read first: a page shown costs one query less)."""
    if not user.is_authenticated:
        return False, False
    return (
        Motion.objects.filter(pk=motion.pk)
        .annotate(
            eligible=Exists(RollEntry.objects.filter(motion=OuterRef("pk"), person__user=user)),
            voted=Exists(BallotReceipt.objects.filter(motion=OuterRef("pk"), person__user=user)),
        )
        .values_list("eligible", "voted")
        .get()
    )


def _brief(request, motion, eligible):
    """The debriefing of the cadre an evaluation is about, for those who judge it: the
    representatives on its roll and the staff who may read motions; nobody else."""
    if motion.kind != MotionKind.EVALUATION or motion.subject is None:
        return None
    if not (eligible or request.user.has_perm("votes.view_motion")):
        return None
    # The year evaluated: the one the vote closed in (as ``evaluation_summary`` counts it),
    # or, while it is open, the one it opened in.
    moment = motion.closed_at or motion.opened_at
    if moment is None:
        return None
    return evaluation_brief(motion.subject, timezone.localtime(moment).year)


# Each list of /votes/ (open now, results) shows this many a page: the page costs the same
# however many votes the community has held.
PER_PAGE = 10


@require_safe
def index(request):
    public = Motion.objects.public().select_related("subject")
    open_motions = slice_page(
        public.filter(state=MotionState.OPEN).order_by("-opened_at", "-pk"),
        request.GET.get("open"),
        PER_PAGE,
    )
    person = _person(request)
    voted = set()
    if person is not None and open_motions.object_list:
        # One query for the representative's receipts among the listed motions.
        voted = set(
            BallotReceipt.objects.filter(
                person=person, motion__in=[motion.pk for motion in open_motions]
            ).values_list("motion_id", flat=True)
        )
    for motion in open_motions:
        motion.has_voted = motion.pk in voted
    return TemplateResponse(
        request,
        "votes/index.html",
        {
            "open_motions": open_motions,
            "results": slice_page(
                public.filter(state=MotionState.PUBLISHED).order_by("-published_at", "-pk"),
                request.GET.get("page"),
                PER_PAGE,
            ),
        },
    )


def _result(motion, options):
    """The published result of ``motion``. Its counts are read once and kept until its page
    is purged (``core.cache.until_purged``): once published they never change, and the page
    of a big vote would otherwise count every ballot for every reader the page cache does not
    serve (the representatives, logged in). Every save of a ballot, an option, a hall count or
    the motion purges the page, and with it the counts."""
    counts = until_purged(
        reverse("votes:index"), f"votes:counts:{motion.pk}", lambda: counted(motion)
    )
    return tally(motion, counts, options)


@require_http_methods(["GET", "HEAD", "POST"])
def detail(request, pk):
    motions = Motion.objects.select_related("subject", "meeting")
    motion = get_object_or_404(motions, pk=pk)
    if motion.state == MotionState.DRAFT:
        raise Http404
    # Only a ballot needs the voter's person; a page shown asks its standing by the user.
    person = _person(request) if request.method == "POST" else None
    status = 200
    error = ""
    chosen = None  # the option awaiting the voter's confirmation
    selected = ""  # the option ticked when the voter goes back to change their choice
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        # Two steps, each a plain form: the choice, then its confirmation, which carries the
        # choice again with ``confirm``. Nothing is recorded before the confirmation.
        choice = request.POST.get("option", "")
        confirmed = request.POST.get("confirm") == "1" and "change" not in request.POST
        option = None
        try:
            if "change" in request.POST:
                selected = choice
            elif not confirmed:
                chosen = check(motion, person, choice)
            else:
                option = cast(motion.pk, person, choice)
        except VoteRefused as refusal:
            error = refusal.message
            status = 409 if refusal.message != _("Choose one of the options.") else 400
        if option is not None:
            if motion.secret:
                # Not even the voter's own next page (nor the messages cookie that carries
                # it) repeats a secret choice.
                messages.success(request, _("Your ballot is recorded. Thank you for voting."))
            else:
                messages.success(
                    request,
                    _("Your ballot is recorded: %(option)s. Thank you for voting.")
                    % {"option": option.label},
                )
            return redirect("votes:detail", pk=motion.pk)
        # Read again (the vote may have closed meanwhile) as a fresh instance: django-fsm's
        # refresh_from_db() lifts the state field's protection for the whole class while it
        # runs, so simultaneous requests for one motion meet it half-restored
        # ("AttributeError: Direct state modification is not allowed", a server error).
        motion = motions.get(pk=motion.pk)
    eligible, has_voted = _standing(motion, request.user)
    options = list(motion.options.order_by("sort_order", "pk"))
    context = {
        "motion": motion,
        "options": options,
        "has_voted": has_voted,
        "eligible": eligible,
        "can_vote": motion.state == MotionState.OPEN and eligible and not has_voted,
        "error": error,
        "chosen": chosen,
        "selected": selected,
        "result": _result(motion, options) if motion.results_visible else None,
        "is_evaluation": motion.kind == MotionKind.EVALUATION,
        "brief": _brief(request, motion, eligible),
    }
    return TemplateResponse(request, "votes/detail.html", context, status=status)
