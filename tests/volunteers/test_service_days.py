"""Service days ("donate one day"): the distinct dates a person served at a duty post or at a
volunteer activity in a calendar year, against the days pledged (the sum of their current
posts' pledged days, or one for a volunteer with no post); the report and its download, in a
fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duty import api as duty_api
from duty.factories import PostAssignmentFactory, ServiceDayFactory
from tests.support import logged_in
from volunteers.factories import (
    ParticipationFactory,
    TeamFactory,
    VolunteerActivityFactory,
    VolunteerFactory,
)
from volunteers.service import community_year, person_year, service_years

pytestmark = pytest.mark.django_db

D = datetime.date
NEW_YEAR = D(2026, 1, 1)


def served_at_post(person, *dates, pledged=1, start=NEW_YEAR, end=None):
    assignment = PostAssignmentFactory(
        person=person, pledged_days=pledged, term_start=start, term_end=end
    )
    for date in dates:
        ServiceDayFactory(assignment=assignment, date=date)
    return assignment


def served_at_activity(person, date, hours="2"):
    return ParticipationFactory(
        person=person, activity=VolunteerActivityFactory(date=date), hours=Decimal(hours)
    )


@pytest.fixture
def member():
    return VolunteerFactory(name="钱志愿", is_cadre=True)


def test_a_date_served_at_a_post_and_at_an_activity_counts_once(member):
    served_at_post(member, D(2026, 3, 1), D(2026, 4, 2))
    served_at_activity(member, D(2026, 3, 1))
    served_at_activity(member, D(2026, 5, 9))

    year = person_year(member, 2026)

    assert (year.post_days, year.activity_days, year.total_days) == (2, 2, 3)


def test_two_activities_on_one_date_are_one_day(member):
    served_at_activity(member, D(2026, 6, 1))
    served_at_activity(member, D(2026, 6, 1))

    assert person_year(member, 2026).total_days == 1


def test_the_year_runs_from_the_first_of_january_to_the_thirty_first_of_december(member):
    served_at_post(member, D(2025, 12, 31), D(2026, 1, 1), start=D(2025, 1, 1))
    served_at_activity(member, D(2026, 12, 31))
    served_at_activity(member, D(2027, 1, 1))

    assert person_year(member, 2025).total_days == 1
    assert sorted(
        person_year(member, 2026).post_dates | person_year(member, 2026).activity_dates
    ) == [
        D(2026, 1, 1),
        D(2026, 12, 31),
    ]
    assert person_year(member, 2027).total_days == 1


def test_the_pledge_is_the_sum_of_the_posts_current_in_the_year(member):
    served_at_post(member, D(2026, 2, 1), pledged=2)
    served_at_post(member, pledged=3, start=D(2026, 6, 1))
    # Ended the year before: not pledged in 2026.
    served_at_post(member, pledged=5, start=D(2024, 1, 1), end=D(2025, 12, 31))
    served_at_activity(member, D(2026, 3, 3))

    year = person_year(member, 2026)

    assert year.pledged == 5
    assert (year.total_days, year.pledge_met) == (2, False)


def test_a_volunteer_with_no_post_pledges_one_day_and_meets_it_with_one_activity(member):
    idle = VolunteerFactory(name="孙未到")
    served_at_activity(member, D(2026, 3, 3))

    rows = {row.person.name: row for row in service_years(2026)}

    assert rows["钱志愿"].pledged == 1 and rows["钱志愿"].pledge_met
    # A volunteer who served no day is listed, short of the pledge.
    assert rows["孙未到"].pledged == 1 and not rows["孙未到"].pledge_met
    assert idle.pk


def test_the_posts_pledge_is_met_by_days_at_posts_and_activities_together(member):
    served_at_post(member, D(2026, 2, 1), pledged=2)
    assert not person_year(member, 2026).pledge_met
    served_at_activity(member, D(2026, 2, 1))
    assert not person_year(member, 2026).pledge_met, "the same date counts once"
    served_at_activity(member, D(2026, 2, 2))
    assert person_year(member, 2026).pledge_met


def test_a_team_member_is_a_volunteer_though_not_marked_so():
    team_member = VolunteerFactory(name="周队员", is_volunteer=False)
    TeamFactory(members=[team_member])
    assert "周队员" in [row.person.name for row in service_years(2026)]


def test_the_community_total_adds_up_each_persons_distinct_days(member):
    other = VolunteerFactory(name="吴其他")
    served_at_post(member, D(2026, 3, 1))
    served_at_activity(member, D(2026, 3, 1))
    served_at_activity(other, D(2026, 3, 1))
    served_at_activity(other, D(2026, 3, 2))

    # Another year's days, and a day served at two activities, count nothing more.
    served_at_activity(other, D(2026, 3, 2))
    served_at_post(other, D(2025, 12, 31))
    served_at_activity(member, D(2027, 1, 1))

    total = community_year(2026)
    assert (total.days, total.people) == (3, 2)


def test_the_community_total_is_counted_in_the_database(member):
    """Two queries whatever the number of days, and no row of them read into the site."""
    served_at_post(member, D(2026, 3, 1))
    few = _queries(community_year, 2026)
    for n in range(6):
        person = VolunteerFactory()
        served_at_post(person, D(2026, 4, n + 1))
        served_at_activity(person, D(2026, 5, n + 1))
    with CaptureQueriesContext(connection) as queries:
        total = community_year(2026)
    assert few == len(queries.captured_queries) == 2
    assert all("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert (total.days, total.people) == (13, 7)


def _queries(function, *args):
    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries.captured_queries)


def test_the_duty_api_and_the_service_years_take_a_fixed_number_of_queries(member):
    served_at_post(member, D(2026, 3, 1))
    served_at_activity(member, D(2026, 3, 2))
    few = (_queries(duty_api.service_dates, 2026), _queries(service_years, 2026))
    for n in range(6):
        person = VolunteerFactory()
        served_at_post(person, D(2026, 4, n + 1), pledged=2)
        served_at_activity(person, D(2026, 5, n + 1))
    many = (_queries(duty_api.service_dates, 2026), _queries(service_years, 2026))
    assert few == many == (2, 5)


def test_the_duty_api_reads_some_people_only(member):
    other = VolunteerFactory()
    served_at_post(member, D(2026, 3, 1), pledged=2)
    served_at_post(other, D(2026, 3, 2))

    found = duty_api.service_dates(2026, [member])

    assert found.dates == {member.pk: {D(2026, 3, 1)}}
    assert found.pledged == {member.pk: 2}


class TestTheReport:
    @pytest.fixture
    def office(self, make_user):
        from core import roles

        return make_user(roles.PARTY_OFFICE, username="party")

    def test_lists_each_person_with_their_days_and_pledge(self, office, member):
        served_at_post(member, D(2026, 3, 1), pledged=2)
        served_at_activity(member, D(2026, 3, 1))
        served_at_activity(member, D(2026, 3, 9))

        response = logged_in(office).get(
            reverse("volunteers_service_days"), {"year": "2026"}, headers={"accept-language": "en"}
        )

        assert response.status_code == 200
        (row,) = [r for r in response.context["rows"] if r.person == member]
        assert (row.post_days, row.activity_days, row.total_days, row.pledged) == (1, 2, 2, 2)
        assert row.pledge_met
        assert "钱志愿" in response.content.decode()

    @pytest.mark.parametrize("year", ["abc", "1800", "2026.5"])
    def test_a_year_that_makes_no_sense_is_said_so_and_shows_this_year(self, office, year):
        response = logged_in(office).get(reverse("volunteers_service_days"), {"year": year})
        assert response.status_code == 400
        assert response.context["year_error"]
        assert response.context["year"] == datetime.date.today().year

    def test_no_year_shows_this_year(self, office):
        response = logged_in(office).get(reverse("volunteers_service_days"), {"year": ""})
        assert response.status_code == 200
        assert response.context["year"] == datetime.date.today().year

    def test_costs_the_same_queries_however_many_people(self, office, member):
        client = logged_in(office)
        url = reverse("volunteers_service_days") + "?year=2026"
        served_at_activity(member, D(2026, 3, 2))
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for n in range(8):
            person = VolunteerFactory()
            served_at_post(person, D(2026, 4, n + 1))
            served_at_activity(person, D(2026, 5, n + 1))
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many.captured_queries) == len(few.captured_queries)
