"""Service days ("donate one day", 奉献一天), counted from what was recorded, never typed in.

A person's service days in a year are the distinct dates they served: at their duty post
(``duty.api.service_dates``, the duty module's one public reading of it) and at the volunteer
activities they took part in. A date served at a post and at an activity counts once.

The days pledged are the sum of ``pledged_days`` of their post assignments current in that
year; a volunteer with no post pledges one day. A fixed number of queries, whatever the number
of people, days and activities.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from duty import api as duty_api
from people.models import Person

from .models import Participation

# A volunteer with no post pledges this many days a year ("donate one day").
DEFAULT_PLEDGE = 1


@dataclass
class ServiceYear:
    person: Person
    post_dates: set = field(default_factory=set)
    activity_dates: set = field(default_factory=set)
    pledged: int = DEFAULT_PLEDGE

    @property
    def post_days(self):
        return len(self.post_dates)

    @property
    def activity_days(self):
        return len(self.activity_dates)

    @property
    def total_days(self):
        return len(self.post_dates | self.activity_dates)

    @property
    def pledge_met(self):
        return self.total_days >= self.pledged


def activity_dates(year, people=None):
    """``{person pk: set of the dates of the activities they took part in}`` in ``year``:
    one query."""
    rows = Participation.objects.filter(activity__date__year=year)
    if people is not None:
        rows = rows.filter(person__in=[getattr(p, "pk", p) for p in people])
    dates = {}
    for person, date in rows.values_list("person", "activity__date").order_by().distinct():
        dates.setdefault(person, set()).add(date)
    return dates


def volunteers():
    """The pks of the volunteers: people marked volunteers in the register and the members
    of the active teams (one query)."""
    return set(
        Person.objects.active()
        .filter(
            Q(is_volunteer=True)
            | Q(volunteer_teams__active=True)
            | Q(volunteer_teams_led__active=True)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def service_years(year):
    """Everyone who served or pledged in ``year``, with their days at posts, at activities,
    in all (distinct dates), their pledge and whether it is met; by name. Five queries."""
    posts = duty_api.service_dates(year)
    activities = activity_dates(year)
    pks = set(posts.dates) | set(posts.pledged) | set(activities) | volunteers()
    people = Person.objects.filter(pk__in=pks).only("name").order_by("name", "pk")
    return [
        ServiceYear(
            person=person,
            post_dates=posts.dates.get(person.pk, set()),
            activity_dates=activities.get(person.pk, set()),
            pledged=posts.pledged.get(person.pk, DEFAULT_PLEDGE),
        )
        for person in people
    ]


def person_year(person, year):
    """One person's ``ServiceYear``."""
    posts = duty_api.service_dates(year, [person])
    return ServiceYear(
        person=person,
        post_dates=posts.dates.get(person.pk, set()),
        activity_dates=activity_dates(year, [person]).get(person.pk, set()),
        pledged=posts.pledged.get(person.pk, DEFAULT_PLEDGE),
    )


@dataclass
class CommunityYear:
    """What the public page says: the community's service days (distinct dates per person,
    added up) and how many volunteers served."""

    days: int
    people: int


def community_year(year):
    """Counted in the database, whatever the number of days served: two queries. A date
    served at a post and at an activity counts once (``UNION`` keeps distinct rows)."""
    posts = duty_api.service_date_rows(year)
    activities = (
        Participation.objects.filter(activity__date__year=year)
        .values_list("person", "activity__date")
        .order_by()
    )
    days = posts.union(activities)
    people = posts.values_list("assignment__person").union(activities.values_list("person"))
    return CommunityYear(days=days.count(), people=people.count())
