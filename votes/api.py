"""What other modules may read from votes: the year-end evaluation of a cadre.

The duty module's assessment report calls ``evaluation_summary``; nothing else of this
app is meant to be imported elsewhere.
"""

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
    counts = [(row["option__label"], row["n"]) for row in rows]
    if not counts:
        return None
    total = sum(n for _label, n in counts)
    # By what each option means, not where it is listed.
    positive = sum(row["n"] for row in rows if row["option__meaning"] in POSITIVE)
    return {"counts": counts, "ballots": total, "satisfaction": positive / total if total else 0.0}
