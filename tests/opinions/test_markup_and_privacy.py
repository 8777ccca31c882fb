"""Nothing a resident types runs as markup anywhere it is shown, and the contact a resident
leaves reaches only the people who handle it."""

from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape

from audit.diff import HIDDEN
from audit.models import Action, AuditEntry
from blog.factories import blog_index
from core.transitions import perform
from opinions.models import Opinion, OpinionState
from tests.support import logged_in

from .conftest import ENGLISH

NAME = '<script>alert("name")</script>'
BODY = '<img src=x onerror=alert("body")>\n<script>alert("body")</script> 请在花园加装路灯'
CONTACT = "13812345678"
LISTING = "/admin/snippets/opinions/opinion/"


def assert_inert(response, *, shown=(NAME,)):
    """The page holds what the resident typed as text, never as elements."""
    assert response.status_code == 200
    html = response.content.decode()
    page = BeautifulSoup(html, "html.parser")
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    assert not [s for s in page.find_all("script") if "alert(" in (s.string or "")]
    assert not page.select("[onerror]")
    assert not [img for img in page.find_all("img") if img.get("src") == "x"]
    text = page.get_text()
    for typed in shown:
        assert typed in text, f"{typed!r} is not shown as text"
        assert escape(typed) in html


def assert_no_contact(response):
    assert CONTACT not in response.content.decode()


@pytest.fixture
def marked_up(make_opinion, topic):
    """An opinion full of markup, approved and on the notice board."""
    return make_opinion(
        OpinionState.PROMOTED, page=topic, author_name=NAME, body=BODY, contact=CONTACT
    )


@pytest.fixture
def pending_marked_up(make_opinion, topic):
    return make_opinion(page=topic, author_name=NAME, body=BODY, contact=CONTACT)


@pytest.mark.django_db
class TestPublicPages:
    def test_the_post_page(self, client, topic, marked_up):
        response = client.get(topic.url)
        assert_inert(response, shown=(NAME, 'alert("body")', "请在花园加装路灯"))
        assert_no_contact(response)
        body = BeautifulSoup(response.content.decode(), "html.parser").select_one(".opinion__body")
        # linebreaksbr made the one <br> the resident's newline asked for, and no other tag.
        assert [tag.name for tag in body.find_all(True)] == ["br"]

    def test_the_front_page_notice_board(self, client, marked_up, topic):
        response = client.get("/")
        assert_inert(response, shown=(NAME, 'alert("body")'))
        assert_no_contact(response)
        board = BeautifulSoup(response.content.decode(), "html.parser").select_one(".notice-board")
        assert board.select_one("a")["href"] == topic.url

    def test_the_blog_notice_board(self, client, marked_up):
        response = client.get(blog_index().url)
        assert_inert(response, shown=(NAME, 'alert("body")'))
        assert_no_contact(response)

    def test_the_feed(self, client, marked_up, topic):
        topic.title = "<b>停车</b> & 议事"
        topic.save_revision().publish()
        response = client.get(f"{blog_index().url}feed/")
        assert response.status_code == 200
        raw = response.content.decode()
        assert "<b>停车</b>" not in raw
        assert "&lt;b&gt;停车&lt;/b&gt; &amp; 议事" in raw
        titles = [t.text for t in ElementTree.fromstring(response.content).iter("title")]
        assert "<b>停车</b> & 议事" in titles
        for typed in (NAME, 'alert("body")', CONTACT):
            assert typed not in raw
            assert escape(typed) not in raw

    def test_the_confirmation_after_posting(self, client, topic):
        data = {"author_name": NAME, "body": BODY, "contact": CONTACT, "website": ""}
        response = client.post(topic.url, data, follow=True)
        assert response.status_code == 200
        html = response.content.decode()
        # The status page shows what was written, escaped; nothing of the name or contact.
        assert "<script>alert(" not in html
        assert "<img src=x" not in html
        assert escape('<img src=x onerror=alert("body")>') in html
        assert escape(NAME) not in html
        assert_no_contact(response)
        assert Opinion.objects.get().author_name == NAME  # kept as typed, shown escaped

    def test_a_form_sent_back_keeps_the_text_escaped(self, client, topic):
        data = {"author_name": "", "body": BODY, "contact": CONTACT, "website": ""}
        response = client.post(topic.url, data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "<script>alert(" not in html
        assert "<img src=x" not in html
        assert escape('<img src=x onerror=alert("body")>') in html

    @pytest.mark.parametrize("state", ["pending", "approved", "promoted", "rejected", "spam"])
    @pytest.mark.search_index
    def test_the_contact_never_reaches_a_public_page(self, client, make_opinion, topic, state):
        opinion = make_opinion(state, page=topic, body="联系方式测试", contact=CONTACT)
        for path in (
            topic.url,
            opinion.get_status_url(),
            "/",
            blog_index().url,
            f"{blog_index().url}feed/",
            "/search/?q=联系方式",
            "/sitemap.xml",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_no_contact(response)


@pytest.mark.django_db
class TestAdmin:
    def test_the_listing(self, moderator, marked_up, pending_marked_up):
        response = logged_in(moderator).get(LISTING)
        assert_inert(response, shown=(NAME, '<img src=x onerror=alert("body")>'))
        assert_no_contact(response)

    def test_the_inspect_view(self, moderator, supervisor, marked_up):
        for user in (moderator, supervisor):
            response = logged_in(user).get(f"{LISTING}inspect/{marked_up.pk}/")
            assert_inert(response, shown=(NAME, 'alert("body")'))
            assert_no_contact(response)

    def test_the_confirmation_page(self, moderator, pending_marked_up):
        response = logged_in(moderator).get(f"{LISTING}{pending_marked_up.pk}/transition/approve/")
        assert_inert(response, shown=(NAME, 'alert("body")'))

    def test_the_message_after_the_action(self, moderator, pending_marked_up):
        client = logged_in(moderator)
        url = f"{LISTING}{pending_marked_up.pk}/transition/approve/"
        response = client.post(url, {"reason": "<b>ok</b>"}, follow=True)
        assert_inert(response, shown=(NAME,))
        assert "<b>ok</b>" not in response.content.decode()

    def test_the_bulk_confirmation(self, moderator, pending_marked_up):
        response = logged_in(moderator).get(
            f"/admin/bulk/opinions/opinion/reject/?id={pending_marked_up.pk}"
        )
        assert_inert(response, shown=(NAME,))
        assert_no_contact(response)

    def test_the_dashboard(self, moderator, pending_marked_up):
        response = logged_in(moderator).get("/admin/")
        assert response.status_code == 200
        assert "<script>alert(" not in response.content.decode()


def creation_entry(opinion):
    return (
        AuditEntry.objects.for_object(ContentType.objects.get_for_model(Opinion), opinion.pk)
        .filter(action=Action.CREATED)
        .get()
    )


@pytest.mark.django_db
class TestWhoSeesTheContact:
    def test_a_moderator_sees_it_on_the_confirmation_page(self, moderator, pending_marked_up):
        response = logged_in(moderator).get(
            f"{LISTING}{pending_marked_up.pk}/transition/approve/", headers=ENGLISH
        )
        assert response.status_code == 200
        assert f"Contact: {CONTACT}" in BeautifulSoup(response.content, "html.parser").get_text()

    def test_an_administrator_sees_it_too(self, superuser, pending_marked_up):
        response = logged_in(superuser).get(f"{LISTING}{pending_marked_up.pk}/transition/reject/")
        assert CONTACT in response.content.decode()

    def test_a_supervisor_sees_it_masked_in_the_history_centre(self, supervisor, pending_marked_up):
        entry = creation_entry(pending_marked_up)
        response = logged_in(supervisor).get(f"/admin/history/entry/{entry.pk}/", headers=ENGLISH)
        assert response.status_code == 200
        assert_no_contact(response)
        page = BeautifulSoup(response.content.decode(), "html.parser")
        (row,) = [
            tr
            for tr in page.select("table.audit-diff tbody tr")
            if tr.th.get_text(" ", strip=True).split()[0] == "Contact"
        ]
        assert [td.get_text(strip=True) for td in row.select("td")] == ["", HIDDEN]
        # ...and what the resident typed stays text there as well.
        assert_inert(response, shown=(NAME,))

    def test_a_supervisor_sees_it_masked_after_every_transition(
        self, supervisor, moderator, pending_marked_up
    ):
        perform(pending_marked_up, "approve", moderator, reason="内容具体")
        perform(pending_marked_up, "promote", moderator)
        client = logged_in(supervisor)
        for entry in AuditEntry.objects.for_object(
            ContentType.objects.get_for_model(Opinion), pending_marked_up.pk
        ):
            response = client.get(f"/admin/history/entry/{entry.pk}/")
            assert response.status_code == 200
            assert_no_contact(response)

    def test_a_supervisor_finds_it_nowhere_in_the_timeline(self, supervisor, pending_marked_up):
        response = logged_in(supervisor).get("/admin/history/")
        assert response.status_code == 200
        assert_no_contact(response)
        assert "<script>alert(" not in response.content.decode()
        export = logged_in(supervisor).get("/admin/history/", {"export": "csv"})
        content = b"".join(export.streaming_content).decode("utf-8-sig")
        assert CONTACT not in content

    def test_an_administrator_sees_it_in_the_history_centre(self, superuser, pending_marked_up):
        entry = creation_entry(pending_marked_up)
        response = logged_in(superuser).get(f"/admin/history/entry/{entry.pk}/")
        assert CONTACT in response.content.decode()

    def test_a_supervisor_sees_no_contact_on_any_opinion_view(self, supervisor, pending_marked_up):
        client = logged_in(supervisor)
        for path in (LISTING, f"{LISTING}inspect/{pending_marked_up.pk}/", "/admin/"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_no_contact(response)
