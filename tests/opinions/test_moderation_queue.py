"""The moderation queue in the admin: the listing, its filters and search, the row actions
with their confirmation, the bulk actions, who sees what, and the dashboard count."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from audit.models import Action, AuditEntry
from blog.factories import BlogPageFactory
from core import roles
from opinions.models import Opinion, OpinionState
from tests.support import logged_in

from .conftest import ENGLISH

S = OpinionState
LISTING = "/admin/snippets/opinions/opinion/"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def transition_url(opinion, name):
    return f"{LISTING}{opinion.pk}/transition/{name}/"


def bulk_url(action, *opinions, **params):
    query = [("id", opinion.pk) for opinion in opinions] + list(params.items())
    return f"/admin/bulk/opinions/opinion/{action}/?{urlencode(query)}"


def rows(response):
    """The opinions the listing shows, by primary key, in order."""
    listed = []
    for row in soup(response).select("table.listing tbody tr"):
        checkbox = row.select_one("input[type=checkbox][data-object-id]")
        listed.append(int(checkbox["data-object-id"]) if checkbox else row)
    return listed


def transition_links(response):
    return {
        a["href"].split("?")[0]
        for a in soup(response).find_all("a", href=True)
        if "/transition/" in a["href"]
    }


def state_of(opinion):
    return Opinion.objects.get(pk=opinion.pk).state


def messages_of(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def assert_denied(response):
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard."""
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    said = set(messages_of(response))
    assert said & {denied(language) for language in ("en", "zh-hans")}


def denied(language):
    with translation.override(language):
        return gettext("Sorry, you do not have permission to access this area.")


@pytest.fixture
def moderator_client(moderator):
    return logged_in(moderator)


@pytest.fixture
def supervisor_client(supervisor):
    return logged_in(supervisor)


@pytest.fixture
def garden(db):
    return BlogPageFactory(title="中心花园改造方案征求意见", slug="garden")


@pytest.fixture
def queue(make_opinion, topic, garden):
    """One opinion in each state on the parking topic, and a pending one on the garden."""
    return {
        "pending": make_opinion(S.PENDING, page=topic, body="停车位应该先给业主。"),
        "approved": make_opinion(S.APPROVED, page=topic, body="消防通道一定要划线。"),
        "promoted": make_opinion(S.PROMOTED, page=topic, body="夜间开放临时车位。"),
        "rejected": make_opinion(S.REJECTED, page=topic, body="浪费钱！"),
        "spam": make_opinion(S.SPAM, page=topic, body="专业代办各类证件。"),
        "garden": make_opinion(S.PENDING, page=garden, body="保留老槐树。"),
    }


@pytest.mark.django_db
class TestListing:
    def test_a_moderator_sees_every_opinion_with_its_page_and_state(
        self, moderator_client, queue, topic, garden
    ):
        response = moderator_client.get(LISTING, headers=ENGLISH)
        assert response.status_code == 200
        assert sorted(rows(response)) == sorted(o.pk for o in queue.values())
        text = soup(response).select_one("table.listing").get_text()
        for title in (topic.title, garden.title):
            assert title in text
        # Each state as a status tag, which starts with a capital.
        for label in ("Awaiting moderation", "Approved", "On the notice board", "Rejected"):
            assert label in text

    def test_filtered_by_state(self, moderator_client, queue):
        response = moderator_client.get(LISTING, {"state": "pending"})
        assert sorted(rows(response)) == sorted([queue["pending"].pk, queue["garden"].pk])
        response = moderator_client.get(LISTING, {"state": "promoted"})
        assert rows(response) == [queue["promoted"].pk]

    def test_filtered_by_page(self, moderator_client, queue, garden, topic):
        response = moderator_client.get(LISTING, {"page": garden.pk})
        assert rows(response) == [queue["garden"].pk]
        response = moderator_client.get(LISTING, {"page": topic.pk, "state": "pending"})
        assert rows(response) == [queue["pending"].pk]

    def test_search_finds_words_in_the_text_and_the_name(
        self, moderator_client, queue, make_opinion, topic
    ):
        named = make_opinion(page=topic, author_name="Tom Baker", body="More bike racks please.")
        assert rows(moderator_client.get(LISTING, {"q": "bike"})) == [named.pk]
        assert rows(moderator_client.get(LISTING, {"q": "Baker"})) == [named.pk]
        assert rows(moderator_client.get(LISTING, {"q": "槐树"})) == [queue["garden"].pk]

    def test_row_buttons_offer_what_the_state_allows(self, moderator_client, queue):
        links = transition_links(moderator_client.get(LISTING))
        expected = {
            "pending": {"approve", "reject", "mark_spam"},
            "garden": {"approve", "reject", "mark_spam"},
            "approved": {"reject", "mark_spam", "promote"},
            "promoted": {"demote"},
            "rejected": set(),
            "spam": set(),
        }
        assert links == {
            transition_url(queue[key], name) for key, names in expected.items() for name in names
        }

    def test_a_supervisor_sees_the_listing_without_action_buttons(self, supervisor_client, queue):
        response = supervisor_client.get(LISTING)
        assert response.status_code == 200
        assert sorted(rows(response)) == sorted(o.pk for o in queue.values())
        assert transition_links(response) == set()

    def test_the_listing_export_leaves_the_contact_out(
        self, supervisor_client, make_opinion, topic
    ):
        make_opinion(page=topic, contact="13900001111", body="导出测试")
        response = supervisor_client.get(LISTING, {"export": "csv"})
        assert response.status_code == 200
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "导出测试" in content
        assert "13900001111" not in content

    @pytest.mark.parametrize(
        "role", [roles.EDITORS, roles.MEETING_CLERKS, roles.DUTY_CADRES, roles.REPRESENTATIVES]
    )
    def test_other_roles_cannot_open_the_queue(self, make_user, role, queue):
        client = logged_in(make_user(role, username="someone"))
        response = client.get(LISTING, headers=ENGLISH)
        if role == roles.REPRESENTATIVES:  # no admin at all
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")
        else:
            assert_denied(response)
        followed = client.get(LISTING, follow=True)
        assert "停车位应该先给业主" not in followed.content.decode()
        for key in ("pending", "approved"):
            assert client.get(f"{LISTING}inspect/{queue[key].pk}/").status_code == 302

    def test_anonymous_visitors_are_sent_to_the_login(self, client, queue):
        response = client.get(LISTING)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
class TestRowAction:
    def test_the_confirmation_shows_the_opinion_and_asks_for_a_reason(
        self, moderator_client, queue, topic
    ):
        opinion = queue["pending"]
        response = moderator_client.get(transition_url(opinion, "approve"), headers=ENGLISH)
        assert response.status_code == 200
        page = soup(response)
        assert "停车位应该先给业主。" in page.select_one("blockquote.opinion-body").get_text()
        assert topic.title in page.get_text()
        assert page.select_one("textarea[name=reason]") is not None
        assert page.select_one("form button[type=submit]").get_text(strip=True) == "Approve"
        assert state_of(opinion) == S.PENDING  # looking changes nothing

    def test_posting_makes_the_transition_with_the_reason(self, moderator_client, queue, moderator):
        opinion = queue["pending"]
        response = moderator_client.post(
            transition_url(opinion, "approve"), {"reason": "意见具体"}, headers=ENGLISH
        )
        assert response.status_code == 302
        assert response["Location"] == LISTING
        assert state_of(opinion) == S.APPROVED
        entry = AuditEntry.objects.for_object(
            ContentType.objects.get_for_model(Opinion), opinion.pk
        ).first()
        assert (entry.action, entry.detail, entry.reason) == (
            Action.TRANSITION,
            "approve",
            "意见具体",
        )
        assert entry.user_id == moderator.pk
        assert any(m.startswith("Approve: ") for m in messages_of(response))

    @pytest.mark.parametrize(
        ("key", "name", "after"),
        [
            ("pending", "reject", S.REJECTED),
            ("pending", "mark_spam", S.SPAM),
            ("approved", "promote", S.PROMOTED),
            ("approved", "reject", S.REJECTED),
            ("promoted", "demote", S.APPROVED),
        ],
    )
    def test_every_row_action_works(self, moderator_client, queue, key, name, after):
        response = moderator_client.post(transition_url(queue[key], name), {"reason": ""})
        assert response.status_code == 302
        assert state_of(queue[key]) == after

    def test_the_moderator_goes_back_to_the_filtered_listing(self, moderator_client, queue):
        back = f"{LISTING}?state=pending"
        url = transition_url(queue["pending"], "reject") + "?" + urlencode({"next": back})
        form = soup(moderator_client.get(url)).select_one("form")
        assert form.select_one("input[name=next]")["value"] == back
        response = moderator_client.post(url, {"next": back})
        assert response["Location"] == back

    def test_an_outside_next_address_is_ignored(self, moderator_client, queue):
        url = transition_url(queue["pending"], "reject")
        response = moderator_client.post(url, {"next": "https://evil.example/"})
        assert response["Location"] == LISTING

    def test_the_listing_buttons_lead_back_to_the_listing(self, moderator_client, queue):
        response = moderator_client.get(LISTING, {"state": "pending"})
        (href,) = [
            a["href"]
            for a in soup(response).find_all("a", href=True)
            if a["href"].startswith(transition_url(queue["pending"], "approve"))
        ]
        # The buttons come back to the listing as it was filtered (core.viewsets).
        filtered = f"{LISTING}?state=pending"
        assert href == transition_url(queue["pending"], "approve") + "?" + urlencode(
            {"next": filtered}
        )
        response = moderator_client.post(href, {"reason": ""})
        assert response["Location"] == filtered
        assert state_of(queue["pending"]) == S.APPROVED

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_an_action_the_state_no_longer_allows_is_explained(
        self, moderator_client, queue, method
    ):
        """Two moderators at work: the second one's click comes after the first one's."""
        opinion = queue["rejected"]
        response = getattr(moderator_client, method)(
            transition_url(opinion, "approve"), headers=ENGLISH
        )
        assert response.status_code == 302
        assert response["Location"] == LISTING
        assert state_of(opinion) == S.REJECTED
        assert messages_of(response) == [f"“{opinion}” is rejected now: that step is not possible."]

    def test_an_overlong_reason_is_sent_back(self, moderator_client, queue):
        opinion = queue["pending"]
        response = moderator_client.post(transition_url(opinion, "approve"), {"reason": "长" * 501})
        assert response.status_code == 200
        assert soup(response).select_one("textarea[name=reason]") is not None
        assert state_of(opinion) == S.PENDING

    def test_an_unknown_action_is_refused(self, moderator_client, queue):
        for name in ("delete", "save", "refresh_from_db"):
            assert_denied(moderator_client.post(transition_url(queue["pending"], name)))
        assert Opinion.objects.filter(pk=queue["pending"].pk, state=S.PENDING).exists()

    def test_an_unknown_opinion_is_not_found(self, moderator_client, queue):
        response = moderator_client.get(f"{LISTING}999999/transition/approve/")
        assert response.status_code == 404

    @pytest.mark.parametrize("name", ["approve", "reject", "mark_spam"])
    def test_a_supervisor_can_neither_open_nor_post_an_action(self, supervisor_client, queue, name):
        opinion = queue["pending"]
        assert_denied(supervisor_client.get(transition_url(opinion, name)))
        assert_denied(supervisor_client.post(transition_url(opinion, name)))
        assert state_of(opinion) == S.PENDING

    def test_a_supervisor_cannot_promote(self, supervisor_client, queue):
        opinion = queue["approved"]
        assert_denied(supervisor_client.get(transition_url(opinion, "promote")))
        assert_denied(supervisor_client.post(transition_url(opinion, "promote")))
        assert state_of(opinion) == S.APPROVED

    def test_an_editor_cannot_post_an_action(self, make_user, queue):
        client = logged_in(make_user(roles.EDITORS, username="ed"))
        assert_denied(client.post(transition_url(queue["pending"], "approve")))
        assert state_of(queue["pending"]) == S.PENDING


@pytest.mark.django_db
class TestBulkActions:
    def test_the_confirmation_lists_what_will_change_and_what_will_not(
        self, moderator_client, queue
    ):
        chosen = [queue["pending"], queue["garden"], queue["rejected"], queue["promoted"]]
        response = moderator_client.get(bulk_url("approve", *chosen), headers=ENGLISH)
        assert response.status_code == 200
        text = soup(response).get_text()
        assert "these 2 opinions?" in text
        assert "These opinions are left as they are" in text
        assert all(state_of(o) == o.state for o in chosen)  # looking changes nothing

    def test_bulk_approve_changes_only_the_pending(self, moderator_client, queue, moderator):
        chosen = [queue[k] for k in ("pending", "garden", "rejected", "promoted", "spam")]
        response = moderator_client.post(bulk_url("approve", *chosen), headers=ENGLISH)

        assert response.status_code == 302
        assert {key: state_of(o) for key, o in queue.items()} == {
            "pending": S.APPROVED,
            "garden": S.APPROVED,
            "approved": S.APPROVED,
            "promoted": S.PROMOTED,
            "rejected": S.REJECTED,
            "spam": S.SPAM,
        }
        assert "Approve: 2 opinions." in messages_of(response)
        entry = AuditEntry.objects.for_object(
            ContentType.objects.get_for_model(Opinion), queue["garden"].pk
        ).first()
        assert (entry.action, entry.detail, entry.user_id) == (
            Action.TRANSITION,
            "approve",
            moderator.pk,
        )

    def test_bulk_reject_takes_pending_and_approved(self, moderator_client, queue):
        response = moderator_client.post(bulk_url("reject", *queue.values()))
        assert response.status_code == 302
        assert {key: state_of(o) for key, o in queue.items()} == {
            "pending": S.REJECTED,
            "garden": S.REJECTED,
            "approved": S.REJECTED,
            "promoted": S.PROMOTED,
            "rejected": S.REJECTED,
            "spam": S.SPAM,
        }

    def test_bulk_spam_takes_pending_and_approved(self, moderator_client, queue):
        response = moderator_client.post(bulk_url("mark_spam", *queue.values()))
        assert response.status_code == 302
        assert {key: state_of(o) for key, o in queue.items()} == {
            "pending": S.SPAM,
            "garden": S.SPAM,
            "approved": S.SPAM,
            "promoted": S.PROMOTED,
            "rejected": S.REJECTED,
            "spam": S.SPAM,
        }

    def test_the_moderator_goes_back_where_they_came_from(self, moderator_client, queue):
        back = f"{LISTING}?state=pending"
        response = moderator_client.post(bulk_url("approve", queue["pending"], next=back))
        assert response["Location"] == back

    def test_a_supervisor_changes_nothing(self, supervisor_client, queue):
        response = supervisor_client.get(bulk_url("approve", queue["pending"]), headers=ENGLISH)
        assert "These opinions are left as they are" in soup(response).get_text()
        for action in ("approve", "reject", "mark_spam"):
            supervisor_client.post(bulk_url(action, *queue.values()))
        assert {key: state_of(o) for key, o in queue.items()} == {
            key: o.state for key, o in queue.items()
        }

    def test_an_editor_changes_nothing(self, make_user, queue):
        client = logged_in(make_user(roles.EDITORS, username="ed"))
        client.post(bulk_url("approve", *queue.values()))
        assert state_of(queue["pending"]) == S.PENDING

    def test_the_bulk_actions_are_offered_in_the_listing(self, moderator_client, queue):
        html = moderator_client.get(LISTING).content.decode()
        for action in ("approve", "reject", "mark_spam"):
            assert reverse("wagtail_bulk_action", args=("opinions", "opinion", action)) in html


@pytest.mark.django_db
class TestDashboard:
    def test_moderators_see_how_many_opinions_wait(self, moderator_client, queue):
        response = moderator_client.get("/admin/", headers=ENGLISH)
        panel = soup(response).select_one("#pending-opinions-heading").find_parent("section")
        assert "2 opinions await moderation." in panel.get_text()
        assert panel.select_one("a")["href"] == f"{LISTING}?state=pending"

    def test_one_opinion_is_singular_and_none_says_so(self, moderator_client, queue, moderator):
        from core.transitions import perform

        perform(queue["garden"], "approve", moderator)
        panel = soup(moderator_client.get("/admin/", headers=ENGLISH)).select_one(
            "#pending-opinions-heading"
        )
        assert "1 opinion awaits moderation." in panel.find_parent("section").get_text()
        perform(queue["pending"], "mark_spam", moderator)
        panel = soup(moderator_client.get("/admin/", headers=ENGLISH)).select_one(
            "#pending-opinions-heading"
        )
        assert "No opinion awaits moderation." in panel.find_parent("section").get_text()

    @pytest.mark.parametrize(
        "role", [roles.SUPERVISORS, roles.EDITORS, roles.MEETING_CLERKS, roles.DUTY_CADRES]
    )
    def test_other_roles_do_not_see_it(self, make_user, role, queue):
        response = logged_in(make_user(role, username="someone")).get("/admin/", headers=ENGLISH)
        assert response.status_code == 200
        assert soup(response).select_one("#pending-opinions-heading") is None
        assert "await moderation" not in response.content.decode()
