"""An opinion's reference and its status page: what became of it, said to whoever holds the
reference, with the moderator's public reason and the committee's response, and nothing of
the name or contact its writer left."""

import pytest
from bs4 import BeautifulSoup

from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from wagtail.models import PageViewRestriction

from audit.models import AuditEntry
from core.transitions import perform
from opinions.factories import OpinionFactory
from opinions.models import Opinion, OpinionState
from tests.support import logged_in

from .conftest import ENGLISH

S = OpinionState
LISTING = "/admin/snippets/opinions/opinion/"
NAME, CONTACT = "7号楼孙阿姨", "13911112222"


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def state_shown(response):
    return soup(response).select_one("#opinion-state").get_text(strip=True)


def status(client, opinion, language=ENGLISH):
    return client.get(f"/opinions/{opinion.reference}/", headers=language)


@pytest.mark.django_db
class TestTheReference:
    def test_each_opinion_gets_its_own_readable_reference(self, make_opinion, topic):
        first, second = make_opinion(page=topic), make_opinion(page=topic)
        assert first.reference != second.reference
        assert len(first.reference) == 14 and first.reference.count("-") == 2
        assert first.reference == first.reference.upper()

    def test_two_opinions_cannot_share_one(self, make_opinion, topic):
        taken = make_opinion(page=topic).reference
        with pytest.raises(IntegrityError):
            OpinionFactory(page=topic, reference=taken)


@pytest.mark.django_db
class TestWhatTheStatusPageSays:
    @pytest.mark.parametrize(
        ("state", "shown"),
        [
            (S.PENDING, "Awaiting moderation"),
            (S.APPROVED, "Published"),
            (S.PROMOTED, "Published and on the notice board"),
            (S.REJECTED, "Not published"),
            (S.SPAM, "Not published"),
        ],
    )
    def test_the_state_in_the_residents_words(self, client, make_opinion, topic, state, shown):
        opinion = make_opinion(state, page=topic, author_name=NAME, contact=CONTACT)
        response = status(client, opinion)
        assert response.status_code == 200
        assert state_shown(response) == shown
        html = response.content.decode()
        assert opinion.body in html
        # Nothing personal, and never the word "spam".
        assert NAME not in html and CONTACT not in html
        assert "spam" not in html.lower()
        assert (
            "垃圾" not in status(client, opinion, {"accept-language": "zh-hans"}).content.decode()
        )

    def test_in_chinese(self, client, make_opinion, topic):
        opinion = make_opinion(S.PROMOTED, page=topic)
        response = status(client, opinion, {"accept-language": "zh-hans"})
        with translation.override("zh-hans"):
            expected = pgettext("opinion status", "Published and on the notice board")
        assert state_shown(response) == expected

    def test_it_links_the_page_the_opinion_is_on(self, client, make_opinion, topic):
        response = status(client, make_opinion(S.APPROVED, page=topic))
        links = {a["href"] for a in soup(response).find_all("a", href=True)}
        assert topic.url in links and f"{topic.url}#opinions" in links
        assert topic.title in response.content.decode()

    def test_a_page_in_a_private_section_is_not_named(self, client, make_opinion, topic):
        opinion = make_opinion(S.APPROVED, page=topic)
        PageViewRestriction.objects.create(page=topic, restriction_type="login")
        response = status(client, opinion)
        assert response.status_code == 200
        assert topic.url not in response.content.decode()
        assert topic.title not in response.content.decode()

    def test_the_public_reason_is_shown_but_not_the_history_reason(
        self, client, make_opinion, topic, moderator
    ):
        opinion = make_opinion(page=topic)
        perform(
            opinion, "reject", moderator, reason="内部：情绪化", public_reason="请说明具体建议。"
        )
        response = status(client, opinion)
        html = response.content.decode()
        assert "Why it was not published" in html
        assert "请说明具体建议。" in soup(response).select_one(".opinion-status__reason").get_text()
        assert "内部：情绪化" not in html

    def test_no_reason_given_says_only_not_published(self, client, make_opinion, topic):
        response = status(client, make_opinion(S.SPAM, page=topic))
        assert state_shown(response) == "Not published"
        assert "Why it was not published" not in response.content.decode()
        assert soup(response).select_one(".opinion-status__reason") is None

    def test_the_committees_response_on_the_status_page_and_under_the_opinion(
        self, client, make_opinion, topic
    ):
        opinion = make_opinion(S.APPROVED, page=topic, body="路灯坏了很久。")
        opinion.response = "物业已于周三修好路灯。"
        opinion.save()
        assert (
            "物业已于周三修好路灯。"
            in soup(status(client, opinion)).select_one(".opinion-response").get_text()
        )
        shown = soup(client.get(topic.url, headers=ENGLISH)).select_one(".opinion__response")
        assert "物业已于周三修好路灯。" in shown.get_text()
        assert "The committee's response" in shown.get_text()

    def test_a_response_to_an_unpublished_opinion_stays_on_its_status_page(
        self, client, make_opinion, topic
    ):
        opinion = make_opinion(S.REJECTED, page=topic)
        opinion.response = "已转交物业处理。"
        opinion.save()
        assert "已转交物业处理。" in status(client, opinion).content.decode()
        assert "已转交物业处理。" not in client.get(topic.url).content.decode()


@pytest.mark.django_db
class TestTypedReferences:
    def test_lower_case_without_hyphens_goes_to_the_one_address(self, client, make_opinion, topic):
        opinion = make_opinion(page=topic)
        typed = opinion.reference.replace("-", "").lower()
        response = client.get(f"/opinions/{typed}/")
        assert response.status_code == 302
        assert response["Location"] == f"/opinions/{opinion.reference}/"

    def test_the_follow_box_reads_what_was_typed(self, client, make_opinion, topic):
        opinion = make_opinion(page=topic)
        typed = f"  {opinion.reference.lower().replace('-', ' ')} "
        response = client.get(reverse("follow_opinion"), {"reference": typed}, follow=True)
        assert response.redirect_chain[-1][0] == f"/opinions/{opinion.reference}/"
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "typed", ["K7WP-3MXR-Q2TD", "nonsense", "<script>", "a" * 200, "%00", "x'\"y"]
    )
    def test_an_unknown_reference_gets_the_sites_not_found_page(self, client, db, typed):
        for response in (
            client.get(f"/opinions/{typed}/", headers=ENGLISH),
            client.get(
                reverse("follow_opinion"), {"reference": typed}, headers=ENGLISH, follow=True
            ),
        ):
            assert response.status_code == 404
            page = soup(response)
            assert (
                "There is no opinion with this reference."
                in page.select_one("[role=alert]").get_text()
            )
            # The box to type it again, not Django's technical page.
            assert page.select_one("input#follow-opinion-reference") is not None
            assert "<script>" not in response.content.decode()

    def test_an_empty_follow_box_is_not_found_either(self, client, db):
        assert client.get(reverse("follow_opinion")).status_code == 404


@pytest.mark.django_db
class TestTheModerationAdmin:
    def test_rejecting_may_give_the_resident_a_reason(self, make_opinion, topic, moderator):
        opinion = make_opinion(page=topic)
        client = logged_in(moderator)
        url = f"{LISTING}{opinion.pk}/transition/reject/"
        page = soup(client.get(url, headers=ENGLISH))
        assert page.select_one("textarea[name=public_reason]") is not None
        response = client.post(url, {"reason": "情绪化", "public_reason": "请具体说明。"})
        assert response.status_code == 302
        opinion.refresh_from_db()
        assert (opinion.state, opinion.public_reason) == (S.REJECTED, "请具体说明。")
        entry = AuditEntry.objects.filter(object_id=str(opinion.pk)).first()
        assert entry.reason == "情绪化"

    def test_other_steps_ask_only_for_the_history_reason(self, make_opinion, topic, moderator):
        opinion = make_opinion(page=topic)
        page = soup(logged_in(moderator).get(f"{LISTING}{opinion.pk}/transition/approve/"))
        assert page.select_one("textarea[name=reason]") is not None
        assert page.select_one("textarea[name=public_reason]") is None

    def test_a_moderator_records_the_committees_response(self, make_opinion, topic, moderator):
        opinion = make_opinion(S.APPROVED, page=topic, body="楼道灯不亮。")
        client = logged_in(moderator)
        edit = f"{LISTING}edit/{opinion.pk}/"
        form = soup(client.get(edit, headers=ENGLISH))
        # Only the response and the public reason: what the resident wrote is never edited.
        editable = {f["name"] for f in form.select("main form textarea, main form input")}
        assert {"response", "public_reason"} <= editable
        assert not editable & {"body", "author_name", "contact"}
        response = client.post(
            edit, {"response": "已换新灯泡。", "public_reason": "", "change_reason": "回复居民"}
        )
        assert response.status_code == 302
        opinion.refresh_from_db()
        assert opinion.response == "已换新灯泡。"
        assert opinion.body == "楼道灯不亮。"
        latest = opinion.history.first()
        assert (latest.response, latest.history_user_id) == ("已换新灯泡。", moderator.pk)

    @pytest.mark.parametrize("role", ["editor", "supervisor", "representative"])
    def test_other_roles_cannot_record_a_response(self, request, make_opinion, topic, role):
        opinion = make_opinion(S.APPROVED, page=topic)
        client = logged_in(request.getfixturevalue(role))
        response = client.post(f"{LISTING}edit/{opinion.pk}/", {"response": "越权回复"})
        assert response.status_code in (302, 403)
        opinion.refresh_from_db()
        assert opinion.response == ""

    def test_nobody_adds_an_opinion_in_the_admin(self, superuser, db):
        response = logged_in(superuser).get(f"{LISTING}add/")
        assert response.status_code in (302, 403)
        assert Opinion.objects.count() == 0

    def test_the_reference_finds_the_opinion_in_the_queue(self, make_opinion, topic, moderator):
        wanted, other = make_opinion(page=topic), make_opinion(page=topic)
        response = logged_in(moderator).get(LISTING, {"q": wanted.reference})
        assert wanted.body in response.content.decode()
        assert other.body not in response.content.decode()
