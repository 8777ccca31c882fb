"""The residents' page /volunteers/: the active teams (what each does, members, party-member
backbone, days served this year) and the community's service days this year, in numbers only:
no person's name or phone, in either language, within the query budget."""

import datetime
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import CommunitySettings
from duty.factories import PostAssignmentFactory, ServiceDayFactory
from tests.support import BUDGET, count_queries, ui
from volunteers.factories import (
    ParticipationFactory,
    PartyMemberPersonFactory,
    TeamFactory,
    VolunteerActivityFactory,
    VolunteerFactory,
)
from volunteers.models import Team

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
NAMES = ("欧阳骨干", "司马志愿", "诸葛岗位")
PHONE = "13912340000"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 15, 4, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def seeded():
    backbone = PartyMemberPersonFactory(name=NAMES[0], phone=PHONE)
    volunteer = VolunteerFactory(name=NAMES[1])
    at_post = VolunteerFactory(name=NAMES[2], is_cadre=True)
    team = TeamFactory(
        name="红色先锋队", focus="楼道清洁", backbone=[backbone], members=[volunteer]
    )
    TeamFactory(name="已解散的队", active=False, members=[volunteer])
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)):
        activity = VolunteerActivityFactory(team=team, date=day)
        ParticipationFactory(activity=activity, person=backbone, hours=Decimal("2"))
        ParticipationFactory(activity=activity, person=volunteer, hours=Decimal("3"))
    # Last year: not counted.
    old = VolunteerActivityFactory(team=team, date=datetime.date(2025, 12, 31))
    ParticipationFactory(activity=old, person=volunteer)
    # A post day on the date of an activity (counted once for that person) and one alone.
    assignment = PostAssignmentFactory(person=backbone)
    ServiceDayFactory(assignment=assignment, date=datetime.date(2026, 3, 1))
    ServiceDayFactory(
        assignment=PostAssignmentFactory(person=at_post), date=datetime.date(2026, 5, 5)
    )
    return team


def test_the_active_teams_and_the_communitys_days(client, seeded):
    response = client.get(reverse("volunteers:index"), headers=ENGLISH)
    assert response.status_code == 200
    (team,) = response.context["teams"]
    assert (team.name, team.member_count, team.backbone_count, team.days) == (
        "红色先锋队",
        2,
        1,
        4,
    )
    community = response.context["community"]
    # 欧阳: 3-1 (post and activity), 4-1; 司马: 3-1, 4-1; 诸葛: 5-5.
    assert (community.days, community.people) == (5, 3)
    body = response.content.decode()
    assert "已解散的队" not in body
    assert "Volunteer service" in body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_persons_name_or_phone_in_either_language(client, seeded, language):
    response = client.get(reverse("volunteers:index"), headers={"accept-language": language})
    body = response.content.decode()
    for name in NAMES:
        assert name not in body
    assert PHONE not in body
    assert ui(language, "Volunteer teams") in body


def test_with_nothing_yet_the_page_says_so(client):
    response = client.get(reverse("volunteers:index"), headers=ENGLISH)
    assert response.status_code == 200
    assert "No volunteer team is active yet." in response.content.decode()


def test_the_page_costs_the_same_queries_with_more_content(client, seeded):
    # The process's first request warms it up (content types, the site), as a running site's.
    _response, first = count_queries(client, "/volunteers/")
    assert len(first) <= BUDGET
    _response, few = count_queries(client, "/volunteers/")
    for _n in range(5):
        team = TeamFactory(backbone=[PartyMemberPersonFactory()], members=[VolunteerFactory()])
        for day in range(3):
            activity = VolunteerActivityFactory(team=team, date=datetime.date(2026, 6, day + 1))
            for _ in range(3):
                ParticipationFactory(activity=activity)
    _response, many = count_queries(client, "/volunteers/")
    assert len(many) == len(few) <= BUDGET


def test_only_get_and_head(client):
    assert client.post(reverse("volunteers:index")).status_code == 405


def test_the_menu_links_to_the_page(client, seeded):
    body = client.get("/", headers=ENGLISH).content.decode()
    assert 'href="/volunteers/"' in body


def test_the_sitemap_lists_the_page_once_a_team_is_active(client, seeded):
    body = client.get("/sitemap.xml").content.decode()
    assert "/volunteers/</loc>" in body


def test_the_teams_come_a_page_at_a_time_each_with_its_own_days(client, seeded, settings):
    """However many teams are active, a page shows twenty (the page stays the same size);
    the next page shows the rest, and each team's days are its own on either page."""
    from volunteers import views

    for number in range(views.PER_PAGE + 2):
        TeamFactory(name=f"队{number:02d}", members=[VolunteerFactory()])
    first = client.get("/volunteers/", headers=ENGLISH)
    second = client.get("/volunteers/", {"page": 2}, headers=ENGLISH)

    shown = [team.name for team in first.context["teams"]]
    rest = [team.name for team in second.context["teams"]]
    assert len(shown) == views.PER_PAGE and first.context["page_obj"].has_next
    assert sorted(shown + rest) == sorted([f"队{n:02d}" for n in range(22)] + ["红色先锋队"])
    assert not set(shown) & set(rest)
    days = {team.name: team.days for team in first.context["teams"] + second.context["teams"]}
    assert days["红色先锋队"] == 4 and {days[f"队{n:02d}"] for n in range(22)} == {0}
    assert 'rel="next"' in first.content.decode()
    assert "Page 2" in second.content.decode()
    # Past the end: a page that says so, not an error.
    past = client.get("/volunteers/", {"page": 9}, headers=ENGLISH)
    assert past.status_code == 200
    assert ui("en", "There are no more teams.") in past.content.decode()


def community_shown(client):
    community = client.get("/volunteers/", headers=ENGLISH).context["community"]
    return community.days, community.people


def test_the_communitys_days_are_counted_once_and_again_when_a_day_changes(client, seeded, site):
    """The community's total is counted over every day served this year, so it is kept until
    what purges the page changes (the page cache is off here): a day recorded at a post or at
    an activity, moved or taken back, shows on the very next read."""
    # Made on the first page's render, the site's settings would purge every page (and the
    # figure) once: a running site has them.
    CommunitySettings.for_site(site)
    assert community_shown(client) == (5, 3)
    with CaptureQueriesContext(connection) as read_again:
        assert community_shown(client) == (5, 3)
    assert not [q for q in read_again.captured_queries if "UNION" in q["sql"].upper()]

    newcomer = VolunteerFactory()
    day = ServiceDayFactory(
        assignment=PostAssignmentFactory(person=newcomer), date=datetime.date(2026, 6, 1)
    )
    assert community_shown(client) == (6, 4)

    activity = VolunteerActivityFactory(team=seeded, date=datetime.date(2026, 7, 1))
    joined = ParticipationFactory(activity=activity, person=newcomer)
    assert community_shown(client) == (7, 4)

    # Moved to last year: it no longer counts.
    activity.date = datetime.date(2025, 7, 1)
    activity.save()
    assert community_shown(client) == (6, 4)

    joined.delete()
    day.delete()
    assert community_shown(client) == (5, 3)


def test_each_team_counts_its_own_members_and_backbone(seeded):
    """Counted per team: a team with several of each counts each list once (not members times
    backbone), and a team with none counts nought."""
    TeamFactory(
        name="绿色家园队",
        members=[VolunteerFactory() for _ in range(3)],
        backbone=[PartyMemberPersonFactory() for _ in range(2)],
    )
    TeamFactory(name="新成立的队")
    counts = {
        team.name: (team.member_count, team.backbone_count)
        for team in Team.objects.public().with_counts()
    }
    # The backbone are members too.
    assert counts == {"红色先锋队": (2, 1), "绿色家园队": (5, 2), "新成立的队": (0, 0)}
