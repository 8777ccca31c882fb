"""The "four hundred" (四个一百) of each visitor in a year, drawn from the visits, never typed
in: doors entered (distinct households visited), families known (distinct households whose
circumstances a visit made known) and difficulties solved (promises made on their visits and
kept that year). One grouped query each, whatever the number of visitors and visits."""

from dataclasses import dataclass

from django.db.models import Count

from people.models import Person

from .models import Promise, Visit


@dataclass
class Tally:
    visitor: Person
    doors_entered: int = 0
    families_known: int = 0
    difficulties_solved: int = 0


def _grouped(queryset, counted):
    rows = queryset.values("visitors").annotate(number=Count(counted, distinct=True))
    return {row["visitors"]: row["number"] for row in rows if row["visitors"] is not None}


def _solved(year):
    rows = (
        Promise.objects.done_in_year(year)
        .values("visit__visitors")
        .annotate(number=Count("pk", distinct=True))
    )
    return {
        row["visit__visitors"]: row["number"] for row in rows if row["visit__visitors"] is not None
    }


def tallies(year):
    """Every person who visited in ``year`` (or whose promises were kept in it), with their
    tallies, by name: four queries in all (the three counts and the persons)."""
    visits = Visit.objects.in_year(year)
    doors = _grouped(visits, "household")
    known = _grouped(visits.filter(circumstances_known=True), "household")
    solved = _solved(year)
    people = Person.objects.filter(pk__in={*doors, *known, *solved}).order_by("name", "pk")
    return [
        Tally(
            visitor=person,
            doors_entered=doors.get(person.pk, 0),
            families_known=known.get(person.pk, 0),
            difficulties_solved=solved.get(person.pk, 0),
        )
        for person in people
    ]
