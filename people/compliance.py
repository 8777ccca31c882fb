"""The cadres' compliance: the ten-day training rule, the six-month talk rule and the
follow-ups still open, for the compliance dashboard, its panel and its downloads.

Each list is one query (annotated), whatever the number of cadres.

Other registers add lists of their own (members absent from organisation life) through
``register_part``, called from their app's ``ready()``: ``people`` never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import DecimalField, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import TRAINING_DAYS_PER_YEAR, Person, Talk, talk_due_since

# Who may see the dashboard: those who may read both records.
VIEW_PERMISSIONS = ("people.view_training", "people.view_talk")


def may_view(user):
    return all(user.has_perm(permission) for permission in VIEW_PERMISSIONS)


def under_trained(year):
    """Active cadres with fewer than the year's training days, with ``training_days``: the
    days of training that started in ``year`` (a cadre with exactly ten complies)."""
    return (
        Person.objects.cadres()
        .annotate(
            training_days=Coalesce(
                Sum("trainings__days", filter=Q(trainings__start_date__year=year)),
                Value(0),
                output_field=DecimalField(max_digits=7, decimal_places=1),
            )
        )
        .filter(training_days__lt=TRAINING_DAYS_PER_YEAR)
        .order_by("training_days", "name", "pk")
    )


def overdue_talks(today):
    """Active cadres whose last talk is older than six calendar months, or who never had
    one, with ``last_talk`` (None for never), the longest waiting first."""
    return (
        Person.objects.cadres()
        .annotate(last_talk=Max("talks__date"))
        .filter(Q(last_talk__lt=talk_due_since(today)) | Q(last_talk=None))
        .order_by(F("last_talk").asc(nulls_first=True), "name", "pk")
    )


def open_follow_ups():
    return (
        Talk.objects.open_follow_ups()
        .select_related("cadre", "committee_member")
        .order_by("date", "pk")
    )


@dataclass
class Compliance:
    year: int
    today: object
    under_trained: list
    overdue_talks: list
    open_follow_ups: list


def compliance(today=None):
    today = today or timezone.localdate()
    return Compliance(
        year=today.year,
        today=today,
        under_trained=list(under_trained(today.year)),
        overdue_talks=list(overdue_talks(today)),
        open_follow_ups=list(open_follow_ups()),
    )


def counts(today=None):
    """The dashboard panel's three numbers (three count queries)."""
    today = today or timezone.localdate()
    return {
        "under_trained": under_trained(today.year).count(),
        "overdue_talks": overdue_talks(today).count(),
        "open_follow_ups": Talk.objects.open_follow_ups().count(),
    }


@dataclass(frozen=True)
class Part:
    """A list another register adds to the dashboard, its download and the panel.

    ``rows(today)`` gives the table (sequences as long as ``headings``, the first cell the
    row's heading) in a bounded number of queries; ``count(today)`` its length in one query;
    ``may_view(user)`` who may see it (the dashboard's own rule comes first); ``summary(count)``
    the panel's sentence; ``empty`` what the dashboard says when the list is empty.
    """

    name: str
    title: object
    headings: tuple
    rows: Callable
    count: Callable
    may_view: Callable
    summary: Callable
    empty: object


_parts = {}


def register_part(name, *, title, headings, rows, count, may_view, summary, empty):
    """Add a list to the dashboard under ``name`` (its name in the download's address)."""
    _parts[name] = Part(name, title, tuple(headings), rows, count, may_view, summary, empty)


def parts_for(user):
    """The registered lists ``user`` may see, in the order they were registered."""
    return [part for part in _parts.values() if part.may_view(user)]
