"""What other modules may read from votes: the year-end evaluation of a cadre.

The duty module's assessment report calls ``evaluation_summary``; the year-end appraisal
reads it too, and registers the debriefing shown with an evaluation through
``register_evaluation_brief``. Nothing else of this app is meant to be imported elsewhere.
"""

from dataclasses import dataclass

from django.db.models import Count

from .models import POSITIVE, Ballot, Motion, MotionKind, MotionState


def evaluation_summary(person, year=None):
    """The published evaluations of ``person`` (a cadre), added up.

    Returns None when there is none; otherwise the counts of each option label, the number
    of ballots and the share "satisfied" or "basically satisfied" (0..1).
    """
    motions = Motion.objects.filter(
        kind=MotionKind.EVALUATION, subject=person, state=MotionState.PUBLISHED
    )
    if year is not None:
        motions = motions.filter(closed_at__year=year)
    rows = (
        Ballot.objects.filter(motion__in=motions)
        .values("option__sort_order", "option__label", "option__meaning")
        .annotate(n=Count("pk"))
        .order_by("option__sort_order")
    )
    return _summary(rows)


def evaluation_summaries(people, year):
    """``{person pk: evaluation_summary(person, year)}`` for several cadres in one query;
    a cadre with no published evaluation that year is left out."""
    rows = (
        Ballot.objects.filter(
            motion__kind=MotionKind.EVALUATION,
            motion__subject__in=[person.pk for person in people],
            motion__state=MotionState.PUBLISHED,
            motion__closed_at__year=year,
        )
        .values("motion__subject", "option__sort_order", "option__label", "option__meaning")
        .annotate(n=Count("pk"))
        .order_by("motion__subject", "option__sort_order")
    )
    by_person = {}
    for row in rows:
        by_person.setdefault(row["motion__subject"], []).append(row)
    return {person: _summary(person_rows) for person, person_rows in by_person.items()}


def _summary(rows):
    """The counts per option label (in the options' order), the ballots and the share
    "satisfied" or "basically satisfied" from rows of ballots counted per option."""
    counts = [(row["option__label"], row["n"]) for row in rows]
    if not counts:
        return None
    total = sum(n for _label, n in counts)
    # By what each option means, not where it is listed.
    positive = sum(row["n"] for row in rows if row["option__meaning"] in POSITIVE)
    return {"counts": counts, "ballots": total, "satisfaction": positive / total if total else 0.0}


# ---------------------------------------------------------------------------------------
# The debriefing shown with an evaluation. Votes cannot import the app that keeps the
# year-end appraisals (it sits beside votes, not below it), so that app registers a provider
# here, from its AppConfig.ready(), and the evaluation's page asks it.


@dataclass(frozen=True)
class EvaluationBrief:
    """What the voters read before they evaluate a cadre: the cadre's debriefing report."""

    title: str
    text: str


_brief_providers = []


def register_evaluation_brief(provider):
    """Register ``provider(person, year)``, which gives the ``EvaluationBrief`` of the
    cadre ``person`` for the calendar ``year``, or None when there is none to show (nothing
    written, or not yet handed in). Registering the same provider twice keeps one."""
    if provider not in _brief_providers:
        _brief_providers.append(provider)
    return provider


def evaluation_brief(person, year):
    """The first brief a registered provider gives for ``person`` and ``year``, or None."""
    for provider in _brief_providers:
        brief = provider(person, year)
        if brief is not None:
            return brief
    return None
