"""Who reaches characteristic creation: the party-affairs office keeps all of it, supervisors
read it, and editors, moderators, meeting clerks and duty cadres get nothing; a refused
action changes nothing. The listings export."""

import csv
import io

import pytest

from django.urls import reverse

from buildings.factories import BuildingFactory, ProjectFactory, ScoreFactory
from buildings.models import Building, Project, Score
from tests.support import logged_in

from .conftest import refused_in_admin

pytestmark = pytest.mark.django_db

MODELS = ["category", "standard", "building", "assessment", "score", "title", "project"]
KEEPS = {"office"}
READS = {"office", "supervisor"}
NOBODY = ["editor", "moderator", "clerk", "cadre_user", "representative"]


def listing(model):
    return reverse(f"wagtailsnippets_buildings_{model}:list")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role", ["office", "supervisor", *NOBODY])
def test_the_listings_open_to_those_who_read_them(request, role, model):
    user = request.getfixturevalue(role)

    response = logged_in(user).get(listing(model))

    if role in READS:
        assert response.status_code == 200
    else:
        assert refused_in_admin(response)


@pytest.mark.parametrize("role", ["supervisor", *NOBODY])
def test_others_add_no_building(request, role):
    user = request.getfixturevalue(role)

    response = logged_in(user).post(
        reverse("wagtailsnippets_buildings_building:add"), {"name": "9号楼", "units": 2}
    )

    assert refused_in_admin(response)
    assert not Building.objects.exists()


@pytest.mark.parametrize("role", ["supervisor", *NOBODY])
def test_others_change_no_project(request, role):
    user = request.getfixturevalue(role)
    project = ProjectFactory(name="邻里书香")

    response = logged_in(user).post(
        reverse("wagtailsnippets_buildings_project:edit", args=[project.pk]),
        {"name": "改掉", "kind": project.kind, "held_by": "3号楼", "year": 2026},
    )

    assert refused_in_admin(response)
    project.refresh_from_db()
    assert project.name == "邻里书香"


def test_the_office_adds_a_building(office):
    response = logged_in(office).post(
        reverse("wagtailsnippets_buildings_building:add"), {"name": "9号楼", "units": 2}
    )

    assert response.status_code == 302
    (created,) = Building.objects.get(name="9号楼").history.all()
    assert created.history_user_id == office.pk


def test_nobody_adds_a_score_outside_the_assessments_step(office):
    score = ScoreFactory()

    add = logged_in(office).get(reverse("wagtailsnippets_buildings_score:add"))
    edit = logged_in(office).post(
        reverse("wagtailsnippets_buildings_score:edit", args=[score.pk]), {"score": 1}
    )

    assert refused_in_admin(add)
    assert refused_in_admin(edit)
    score.refresh_from_db()
    assert score.score == 8
    assert Score.objects.count() == 1


@pytest.mark.parametrize("role", ["office", "supervisor"])
def test_the_projects_export(request, role):
    ProjectFactory(name="夕阳红合唱团", held_by="社区合唱团")

    response = logged_in(request.getfixturevalue(role)).get(listing("project"), {"export": "csv"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[1][:1] + rows[1][2:3] == ["夕阳红合唱团", "社区合唱团"]


def test_the_buildings_export_to_the_office_only(office, editor):
    BuildingFactory(name="5号楼")

    allowed = logged_in(office).get(listing("building"), {"export": "csv"})
    refused = logged_in(editor).get(listing("building"), {"export": "csv"})

    assert "5号楼" in b"".join(allowed.streaming_content).decode("utf-8")
    assert refused_in_admin(refused)
    assert Project.objects.count() == 0
