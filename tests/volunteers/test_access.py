"""Who reaches volunteer service in the admin, and what the forms refuse.

The party-affairs office keeps all of it; supervisors read it; duty cadres (who keep the
posts' service days, the other half of the count) read the teams and activities, record who
took part, and read the service days; editors, moderators and meeting clerks see nothing.
Every forbidden action is tried as the wrong role: refused, nothing changed. A team's backbone
are party members, hours are more than 0 and at most 24, one row per person and activity:
bad input gets its message and changes nothing. Each participation keeps its own history,
and removing one from the activity's form writes its deletion."""

import datetime
import html
from decimal import Decimal

import pytest

from django.urls import reverse

from core import roles
from people.factories import PersonFactory
from tests.support import logged_in, ui
from volunteers.factories import (
    ParticipationFactory,
    PartyMemberPersonFactory,
    PledgeCardFactory,
    TeamFactory,
    VolunteerActivityFactory,
    VolunteerFactory,
)
from volunteers.models import Participation, PledgeCard, Team, VolunteerActivity

pytestmark = pytest.mark.django_db

KEEPERS = ("party",)
READERS = ("supervisor",)
NOBODY = ("editor", "moderator", "clerk")


@pytest.fixture
def users(editor, moderator, clerk, cadre, supervisor, make_user):
    return {
        "editor": editor,
        "moderator": moderator,
        "clerk": clerk,
        "cadre": cadre,
        "supervisor": supervisor,
        "party": make_user(roles.PARTY_OFFICE, username="party"),
    }


def refused(response):
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and (
        response["Location"].rstrip("/").endswith("/admin") or "/login/" in response["Location"]
    )


def text(response):
    return html.unescape(response.content.decode())


TEAMS = "wagtailsnippets_volunteers_team:list"
ACTIVITIES = "wagtailsnippets_volunteers_volunteeractivity:list"
CARDS = "wagtailsnippets_volunteers_pledgecard:list"
REPORT = "volunteers_service_days"
# What each role may open: the listings and the report.
OPENS = {
    "party": {TEAMS, ACTIVITIES, CARDS, REPORT},
    "supervisor": {TEAMS, ACTIVITIES, CARDS, REPORT},
    "cadre": {TEAMS, ACTIVITIES, REPORT},
    "editor": set(),
    "moderator": set(),
    "clerk": set(),
}


@pytest.fixture
def records():
    member = PartyMemberPersonFactory(name="郑骨干")
    team = TeamFactory(name="红色先锋队", backbone=[member])
    activity = VolunteerActivityFactory(team=team, title="楼道清洁")
    ParticipationFactory(activity=activity, person=member)
    card = PledgeCardFactory(person=member)
    return team, activity, card


@pytest.mark.parametrize("role", sorted(OPENS))
def test_the_listings_and_the_report(role, users, records):
    client = logged_in(users[role])
    for name in (TEAMS, ACTIVITIES, CARDS, REPORT):
        response = client.get(reverse(name))
        if name in OPENS[role]:
            assert response.status_code == 200, (role, name)
        else:
            assert refused(response), (role, name)
            assert "郑骨干" not in response.content.decode(), (role, name)


@pytest.mark.parametrize("role", ["supervisor", "cadre", *NOBODY])
def test_only_the_office_adds_or_changes_a_team(role, users, records):
    team = records[0]
    client = logged_in(users[role])
    response = client.post(
        reverse("wagtailsnippets_volunteers_team:add"),
        {"name": "不该有的队", "focus": "x", "formed_on": "2026-01-01", "active": "on"},
    )
    assert refused(response)
    response = client.post(
        reverse("wagtailsnippets_volunteers_team:edit", args=[team.pk]),
        {"name": "改名", "focus": "x", "formed_on": "2026-01-01"},
    )
    assert refused(response)
    assert not Team.objects.filter(name__in=["不该有的队", "改名"]).exists()


@pytest.mark.parametrize("role", ["supervisor", "cadre", *NOBODY])
def test_only_the_office_adds_or_changes_a_pledge_card(role, users, records):
    card = records[2]
    client = logged_in(users[role])
    other = PartyMemberPersonFactory()
    response = client.post(
        reverse("wagtailsnippets_volunteers_pledgecard:add"),
        {"person": other.pk, "year": "2026", "care_pledged": "x"},
    )
    assert refused(response)
    response = client.post(
        reverse("wagtailsnippets_volunteers_pledgecard:edit", args=[card.pk]),
        {"person": card.person.pk, "year": card.year, "care_pledged": "改了"},
    )
    assert refused(response)
    assert PledgeCard.objects.count() == 1
    card.refresh_from_db()
    assert card.care_pledged != "改了"


@pytest.mark.parametrize("role", ["supervisor", *NOBODY])
def test_only_the_office_and_cadres_record_participants(role, users, records):
    _team, activity, _card = records
    before = list(Participation.objects.values_list("person", "hours"))
    response = logged_in(users[role]).post(
        reverse("wagtailsnippets_volunteers_volunteeractivity:edit", args=[activity.pk]),
        activity_data(activity, [(VolunteerFactory().pk, "3")]),
    )
    assert refused(response)
    assert list(Participation.objects.values_list("person", "hours")) == before
    response = logged_in(users[role]).post(
        reverse("wagtailsnippets_volunteers_volunteeractivity:add"),
        activity_data(VolunteerActivity(team=activity.team, title="新活动"), []),
    )
    assert refused(response)
    assert VolunteerActivity.objects.count() == 1


def test_a_cadre_records_participants_but_adds_no_activity(users, records):
    _team, activity, _card = records
    response = logged_in(users["cadre"]).post(
        reverse("wagtailsnippets_volunteers_volunteeractivity:add"),
        activity_data(VolunteerActivity(team=activity.team, title="新活动"), []),
    )
    assert refused(response)
    newcomer = VolunteerFactory(name="冯新人")
    existing = activity.participations.get()
    response = logged_in(users["cadre"]).post(
        reverse("wagtailsnippets_volunteers_volunteeractivity:edit", args=[activity.pk]),
        activity_data(activity, [(existing.person_id, "2.0", existing.pk), (newcomer.pk, "3")]),
    )
    assert response.status_code == 302, text(response)[:3000]
    added = activity.participations.get(person=newcomer)
    (created,) = added.history.all()
    assert created.history_user == users["cadre"]


def activity_data(activity, rows, **fields):
    """The activity's form: ``rows`` as (person pk, hours[, participation pk[, delete]])."""
    data = {
        "team": activity.team_id,
        "title": activity.title,
        "date": str(activity.date or datetime.date(2026, 5, 1)),
        "place": activity.place,
        "summary": activity.summary,
        "participations-TOTAL_FORMS": str(len(rows)),
        "participations-INITIAL_FORMS": str(sum(1 for row in rows if len(row) > 2)),
        "participations-MIN_NUM_FORMS": "0",
        "participations-MAX_NUM_FORMS": "1000",
        "change_reason": "",
        **fields,
    }
    for number, row in enumerate(rows):
        data[f"participations-{number}-person"] = row[0]
        data[f"participations-{number}-hours"] = row[1]
        data[f"participations-{number}-id"] = row[2] if len(row) > 2 else ""
        data[f"participations-{number}-DELETE"] = "on" if len(row) > 3 and row[3] else ""
    return data


class TestTheActivityForm:
    @pytest.fixture
    def office(self, users):
        return users["party"]

    @pytest.fixture
    def team(self):
        return TeamFactory(name="银发关爱队")

    def add(self, office, team, rows):
        return logged_in(office).post(
            reverse("wagtailsnippets_volunteers_volunteeractivity:add"),
            activity_data(VolunteerActivity(team=team, title="重阳敬老", place="活动室"), rows),
        )

    def test_an_activity_with_its_participants_each_with_history(self, office, team):
        a, b = VolunteerFactory(name="甲"), VolunteerFactory(name="乙")
        response = self.add(office, team, [(a.pk, "2.5"), (b.pk, "4")])
        assert response.status_code == 302, text(response)[:3000]
        (activity,) = VolunteerActivity.objects.all()
        assert sorted(activity.participations.values_list("person__name", "hours")) == [
            ("乙", Decimal("4.0")),
            ("甲", Decimal("2.5")),
        ]
        (created,) = activity.history.all()
        assert created.history_user == office
        for participation in activity.participations.all():
            (row,) = participation.history.all()
            assert (row.history_type, row.history_user) == ("+", office)

    def test_removing_a_participant_writes_its_deletion_and_leaves_the_others_alone(
        self, office, team
    ):
        activity = VolunteerActivityFactory(team=team)
        kept = ParticipationFactory(activity=activity, hours=Decimal("2.0"))
        removed = ParticipationFactory(activity=activity, hours=Decimal("3.0"))
        changed = ParticipationFactory(activity=activity, hours=Decimal("1.0"))
        response = logged_in(office).post(
            reverse("wagtailsnippets_volunteers_volunteeractivity:edit", args=[activity.pk]),
            activity_data(
                activity,
                [
                    (kept.person_id, "2.0", kept.pk),
                    (removed.person_id, "3.0", removed.pk, True),
                    (changed.person_id, "1.5", changed.pk),
                ],
            ),
        )
        assert response.status_code == 302, text(response)[:3000]
        assert not Participation.objects.filter(pk=removed.pk).exists()
        deletion = removed.history.first()
        assert (deletion.history_type, deletion.history_user) == ("-", office)
        assert [row.history_type for row in changed.history.all()] == ["~", "+"]
        assert changed.history.first().history_user == office
        # Unchanged: no new history row.
        assert [row.history_type for row in kept.history.all()] == ["+"]

    @pytest.mark.parametrize("hours", ["0", "25", "-1", "24.5", "abc"])
    def test_hours_out_of_range_are_refused_with_a_message(self, office, team, hours):
        response = self.add(office, team, [(VolunteerFactory().pk, hours)])
        assert response.status_code == 200
        if hours in ("0", "25", "-1", "24.5"):
            assert ui("zh-hans", "Hours are more than 0 and at most 24 a day.") in text(response)
        assert not VolunteerActivity.objects.exists()
        assert not Participation.objects.exists()

    def test_twenty_four_hours_is_allowed(self, office, team):
        response = self.add(office, team, [(VolunteerFactory().pk, "24")])
        assert response.status_code == 302

    def test_the_same_person_twice_is_refused(self, office, team):
        person = VolunteerFactory()
        response = self.add(office, team, [(person.pk, "2"), (person.pk, "3")])
        assert response.status_code == 200
        assert not VolunteerActivity.objects.exists()
        assert not Participation.objects.exists()

    def test_the_database_refuses_hours_out_of_range_too(self):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            ParticipationFactory(hours=Decimal("0"))


class TestTheTeamForm:
    def post(self, office, backbone, members=()):
        return logged_in(office).post(
            reverse("wagtailsnippets_volunteers_team:add"),
            {
                "name": "平安巡逻队",
                "focus": "夜间巡逻",
                "formed_on": "2026-02-01",
                "active": "on",
                "backbone": [p.pk for p in backbone],
                "members": [p.pk for p in members],
                "change_reason": "",
            },
        )

    def test_the_backbone_are_party_members_and_count_among_the_members(self, users):
        member, volunteer = PartyMemberPersonFactory(name="党员甲"), VolunteerFactory()
        response = self.post(users["party"], [member], [volunteer])
        assert response.status_code == 302, text(response)[:3000]
        team = Team.objects.get(name="平安巡逻队")
        assert list(team.backbone.all()) == [member]
        assert set(team.members.all()) == {member, volunteer}
        # The save, then each many-to-many field as the form sets it (simple-history writes
        # a row for each): every row by the office, the latest holding both lists.
        *changes, created = team.history.all()
        assert (created.history_type, created.history_user) == ("+", users["party"])
        assert {row.history_user for row in changes} == {users["party"]}
        latest = team.history.first()
        assert list(latest.backbone.values_list("person", flat=True)) == [member.pk]
        assert set(latest.members.values_list("person", flat=True)) == {member.pk, volunteer.pk}

    def test_someone_not_a_party_member_is_refused_by_name(self, users):
        resident = PersonFactory(name="非党员乙")
        response = self.post(users["party"], [PartyMemberPersonFactory(), resident])
        assert response.status_code == 200
        assert "非党员乙" in text(response)
        assert not Team.objects.exists()

    def test_code_cannot_put_a_non_member_in_the_backbone_either(self):
        from django.core.exceptions import ValidationError
        from django.db import transaction

        team = TeamFactory()
        with pytest.raises(ValidationError), transaction.atomic():
            team.backbone.add(PersonFactory())
        assert not team.backbone.exists()

    def test_a_second_team_with_the_same_name_is_refused(self, users):
        TeamFactory(name="平安巡逻队")
        response = self.post(users["party"], [])
        assert response.status_code == 200
        assert Team.objects.count() == 1


def test_the_offices_screens_open(users, records):
    team, activity, card = records
    client = logged_in(users["party"])
    for url in (
        reverse("wagtailsnippets_volunteers_team:add"),
        reverse("wagtailsnippets_volunteers_team:edit", args=[team.pk]),
        reverse("wagtailsnippets_volunteers_team:inspect", args=[team.pk]),
        reverse("wagtailsnippets_volunteers_volunteeractivity:add"),
        reverse("wagtailsnippets_volunteers_volunteeractivity:edit", args=[activity.pk]),
        reverse("wagtailsnippets_volunteers_volunteeractivity:inspect", args=[activity.pk]),
        reverse("wagtailsnippets_volunteers_pledgecard:add"),
        reverse("wagtailsnippets_volunteers_pledgecard:edit", args=[card.pk]),
        reverse("wagtailsnippets_volunteers_pledgecard:inspect", args=[card.pk]),
        reverse("wagtailsnippets_volunteers_pledgecard:transition", args=[card.pk, "record_item"]),
        reverse("wagtailadmin_home"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_menu_shows_the_volunteers_to_those_who_may_read_them(users):
    for role, shown in (("party", True), ("supervisor", True), ("cadre", True), ("editor", False)):
        body = logged_in(users[role]).get(reverse("wagtailadmin_home")).content.decode()
        assert (reverse("volunteers_service_days") in body) is shown, role
