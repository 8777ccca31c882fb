"""What other modules may read from duty: a cadre's duty assessment for a calendar year,
and the days people served at their posts (and pledged) in a year.

The year-end appraisal sheet reads the assessment, the volunteers' service days read
``service_dates``; nothing else of this app is meant to be imported elsewhere. The
assessment's figures are those of the assessment report (``duty.report.assessment``) for the
1st of January to the 31st of December, without the year-end evaluation (the appraisal reads
that from votes itself).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, Sum

from .models import PostAssignment, Rating, ServiceDay
from .report import assessment


@dataclass(frozen=True)
class DutyAssessment:
    """One cadre's year on duty: requests handled and what became of them, how fast they
    were answered, the inspections' ratings (1 to 3) and the days of service."""

    cadre: object
    year: int
    handled: int
    resolved: int
    referred: int
    overdue: int
    median_hours_to_answer: float | None
    ratings: tuple
    service_days: int

    @property
    def share_resolved(self):
        return self.resolved / self.handled if self.handled else None

    @property
    def mean_rating(self):
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def rating_labels(self):
        """Each rating as words and its place on the scale, e.g. ``(label, 3, 3)``."""
        best = max(Rating.values)
        return [(Rating(rating).label, rating, best) for rating in self.ratings]


def cadre_assessments(cadres, year):
    """``{person pk: DutyAssessment}`` for the people ``cadres`` in the calendar ``year``,
    in a fixed number of queries however many cadres and records there are."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return {
        figure.cadre.pk: DutyAssessment(
            cadre=figure.cadre,
            year=year,
            handled=figure.handled,
            resolved=figure.resolved,
            referred=figure.referred,
            overdue=figure.overdue,
            median_hours_to_answer=figure.median_hours_to_answer,
            ratings=tuple(sorted(figure.ratings, reverse=True)),
            service_days=figure.service_days,
        )
        for figure in assessment(start, end, list(cadres), evaluation=False)
    }


def cadre_assessment(cadre, year):
    """The duty assessment of one cadre (a ``people.Person``) in the calendar ``year``."""
    return cadre_assessments([cadre], year)[cadre.pk]


@dataclass(frozen=True)
class PostService:
    """The days people served at their posts in a year, and the days they pledged."""

    # {person pk: set of the dates they served at a post}
    dates: dict
    # {person pk: the days pledged by their post assignments current in the year}
    pledged: dict


def service_date_rows(year):
    """``(person pk, date)`` of every service day at the posts in the calendar ``year``, as a
    query not yet run (``values_list``), for a count made in the database."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        ServiceDay.objects.filter(date__range=(start, end))
        .values_list("assignment__person", "date")
        .order_by()
    )


def service_dates(year, people=None):
    """The service days at the posts in the calendar ``year`` (``ServiceDay``, through each
    person's ``PostAssignment``) and the days pledged ("donate one day": the sum of
    ``pledged_days`` of the assignments current at some time in the year), for ``people``
    (persons or pks; everyone when None). Two queries, however many people and days."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    days = ServiceDay.objects.filter(date__range=(start, end))
    assignments = PostAssignment.objects.filter(term_start__lte=end).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=start)
    )
    if people is not None:
        pks = [getattr(person, "pk", person) for person in people]
        days = days.filter(assignment__person__in=pks)
        assignments = assignments.filter(person__in=pks)
    dates = {}
    for person, date in days.values_list("assignment__person", "date").order_by():
        dates.setdefault(person, set()).add(date)
    pledged = {
        row["person"]: row["days"]
        for row in assignments.order_by().values("person").annotate(days=Sum("pledged_days"))
    }
    return PostService(dates=dates, pledged=pledged)
