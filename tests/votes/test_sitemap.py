"""The sitemap lists the votes residents may see: each open vote and published result, never a
draft or a vote closed and not yet published; and the duty pages, never a request's own."""

from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest

from votes.models import MotionState

NAMESPACE = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = ElementTree.fromstring(response.content).findall("s:url/s:loc", NAMESPACE)
    return {urlparse(location.text).path for location in locations}


@pytest.mark.django_db
def test_open_votes_and_published_results_are_listed(client, make_motion):
    shown = [make_motion(MotionState.OPEN), make_motion(MotionState.PUBLISHED)]
    hidden = [make_motion(MotionState.DRAFT), make_motion(MotionState.CLOSED)]

    paths = sitemap_paths(client)

    assert "/votes/" in paths
    assert {f"/votes/{motion.pk}/" for motion in shown} <= paths
    assert not {f"/votes/{motion.pk}/" for motion in hidden} & paths


@pytest.mark.django_db
def test_the_duty_pages_are_listed_but_no_request(client):
    from duty.factories import DutyRecordFactory

    record = DutyRecordFactory()

    paths = sitemap_paths(client)

    assert {"/duty/", "/duty/posts/", "/duty/request/"} <= paths
    assert not [path for path in paths if record.reference in path]
