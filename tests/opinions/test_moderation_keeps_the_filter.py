"""A moderator working through the 待审核 (pending) filter comes back to it after each
approve or promote: the row buttons carry the listing's query string as ``next``, and the
transition view goes back there (only to an address on this site)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from opinions.models import OpinionState
from tests.support import logged_in

QUEUE = "/admin/snippets/opinions/opinion/"
PENDING = f"{QUEUE}?state={OpinionState.PENDING}"


def transition_links(html, name):
    return re.findall(rf'href="([^"]*/transition/{name}/[^"]*)"', html)


@pytest.mark.django_db
class TestTheFilterIsKept:
    def test_the_row_buttons_come_back_to_the_filtered_queue(self, moderator, make_opinion):
        make_opinion()

        html = logged_in(moderator).get(PENDING).content.decode()

        (link,) = transition_links(html, "approve")
        assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"] == [PENDING]

    def test_the_results_fragment_points_at_the_listing_not_itself(self, moderator, make_opinion):
        make_opinion()

        html = (
            logged_in(moderator)
            .get(f"{QUEUE}results/?state={OpinionState.PENDING}")
            .content.decode()
        )

        (link,) = transition_links(html, "approve")
        assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"] == [PENDING]

    def test_approving_goes_back_to_the_pending_filter(self, moderator, make_opinion):
        opinion = make_opinion()
        client = logged_in(moderator)
        (link,) = transition_links(client.get(PENDING).content.decode(), "approve")
        link = link.replace("&amp;", "&")

        page = client.get(link).content.decode()
        assert f'name="next" value="{QUEUE}?state={OpinionState.PENDING}"' in page
        response = client.post(link, {"next": PENDING, "reason": ""})

        assert response.status_code == 302
        assert response["Location"] == PENDING
        opinion.refresh_from_db()
        assert opinion.state == OpinionState.APPROVED

    def test_promoting_goes_back_to_the_approved_filter(self, moderator, make_opinion):
        opinion = make_opinion(OpinionState.APPROVED)
        approved = f"{QUEUE}?state={OpinionState.APPROVED}"
        client = logged_in(moderator)
        (link,) = transition_links(client.get(approved).content.decode(), "promote")

        response = client.post(link.replace("&amp;", "&"), {"next": approved, "reason": ""})

        assert response["Location"] == approved
        opinion.refresh_from_db()
        assert opinion.state == OpinionState.PROMOTED

    def test_an_address_elsewhere_is_not_followed(self, moderator, make_opinion):
        opinion = make_opinion()

        response = logged_in(moderator).post(
            f"{QUEUE}{opinion.pk}/transition/approve/",
            {"next": "https://evil.example/", "reason": ""},
        )

        assert response["Location"] == QUEUE
