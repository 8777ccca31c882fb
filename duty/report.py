"""The assessment report: each cadre's figures for a period, from the record book, the
inspections, the service days and (when present) the year-end evaluation."""

import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from people.models import Person
from votes.api import evaluation_summary

from .models import DutyRecord, DutyRecordState, InspectionRating, InspectionState, ServiceDay


@dataclass
class CadreFigures:
    cadre: Person
    handled: int
    resolved: int
    referred: int
    overdue: int
    median_hours_to_answer: float | None
    ratings: list
    service_days: int
    evaluation: dict | None

    @property
    def share_resolved(self):
        return self.resolved / self.handled if self.handled else None

    @property
    def mean_rating(self):
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


def assessment(start, end):
    """Figures for every cadre for the dates ``start`` to ``end`` (inclusive)."""
    now = timezone.now()
    records = DutyRecord.objects.filter(received_at__date__gte=start, received_at__date__lte=end)
    counts = {
        row["handled_by"]: row
        for row in records.exclude(handled_by=None)
        .values("handled_by")
        .annotate(
            handled=Count("pk"),
            resolved=Count("pk", filter=Q(state=DutyRecordState.RESOLVED)),
            referred=Count("pk", filter=Q(state=DutyRecordState.REFERRED)),
            overdue=Count(
                "pk",
                filter=Q(
                    state__in=(DutyRecordState.RECEIVED, DutyRecordState.IN_PROGRESS),
                    due_at__lt=now,
                )
                | Q(answered_at__gt=F("due_at")),
            ),
        )
    }
    answer_hours = {}
    for handler, received, answered in (
        records.exclude(handled_by=None)
        .exclude(answered_at=None)
        .values_list("handled_by", "received_at", "answered_at")
    ):
        answer_hours.setdefault(handler, []).append((answered - received).total_seconds() / 3600)
    ratings = {}
    for cadre, rating in InspectionRating.objects.filter(
        inspection__period_end__gte=start,
        inspection__period_start__lte=end,
        inspection__state__in=(InspectionState.SUBMITTED, InspectionState.ACKNOWLEDGED),
    ).values_list("cadre", "rating"):
        ratings.setdefault(cadre, []).append(rating)
    days = dict(
        ServiceDay.objects.filter(date__gte=start, date__lte=end)
        .values("assignment__person")
        .annotate(n=Count("pk"))
        .values_list("assignment__person", "n")
    )
    figures = []
    for cadre in Person.objects.filter(is_cadre=True).order_by("name"):
        row = counts.get(cadre.pk, {})
        hours = answer_hours.get(cadre.pk)
        figures.append(
            CadreFigures(
                cadre=cadre,
                handled=row.get("handled", 0),
                resolved=row.get("resolved", 0),
                referred=row.get("referred", 0),
                overdue=row.get("overdue", 0),
                median_hours_to_answer=statistics.median(hours) if hours else None,
                ratings=ratings.get(cadre.pk, []),
                service_days=days.get(cadre.pk, 0),
                evaluation=evaluation_summary(cadre, year=end.year),
            )
        )
    return figures
