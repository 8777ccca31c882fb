"""What other modules may read from duty: a cadre's duty assessment for a calendar year.

The year-end appraisal sheet reads it; nothing else of this app is meant to be imported
elsewhere. The figures are those of the assessment report (``duty.report.assessment``) for
the 1st of January to the 31st of December, without the year-end evaluation (the appraisal
reads that from votes itself).
"""

import datetime
from dataclasses import dataclass

from .models import Rating
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
