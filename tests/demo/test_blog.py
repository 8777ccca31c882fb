"""seed_demo's blog column: every kind of post, topics open and closed, and opinions in every
state, the promoted ones on the notice board."""

from bs4 import BeautifulSoup

from django.utils import timezone

from blog.models import BlogKind, BlogPage
from opinions.models import Opinion, OpinionState
from tests.demo.conftest import seed


class TestDemoShowsEveryState:
    def test_opinions_in_every_state(self):
        states = set(Opinion.objects.values_list("state", flat=True))
        assert states == set(OpinionState.values)

    def test_promoted_opinions_say_who_promoted_them_and_when(self):
        promoted = Opinion.objects.promoted()
        assert promoted.exists()
        for opinion in promoted:
            assert opinion.promoted_by.username == "moderator"
            assert opinion.promoted_at is not None
        assert Opinion.objects.filter(state=OpinionState.REJECTED, moderated_by__isnull=False)

    def test_every_opinion_has_its_own_reference_and_a_status_page(self, client):
        references = list(Opinion.objects.values_list("reference", flat=True))
        assert len(set(references)) == len(references)
        for state in OpinionState.values:
            opinion = Opinion.objects.filter(state=state).first()
            assert client.get(f"/opinions/{opinion.reference}/").status_code == 200, state

    def test_a_committee_response_and_a_public_reason(self, client):
        answered = Opinion.objects.exclude(response="").filter(state=OpinionState.PROMOTED)
        assert answered.exists()
        opinion = answered.first()
        assert opinion.response in client.get(f"/opinions/{opinion.reference}/").content.decode()
        assert opinion.response in client.get(opinion.page.url).content.decode()
        rejected = Opinion.objects.exclude(public_reason="").get(state=OpinionState.REJECTED)
        html = client.get(f"/opinions/{rejected.reference}/").content.decode()
        assert rejected.public_reason in html

    def test_topics_open_and_closed(self):
        topics = [page for page in BlogPage.objects.live() if page.kind == BlogKind.TOPIC]
        assert any(page.accepts_opinions() for page in topics)
        assert any(not page.accepts_opinions() for page in topics)
        closed = next(page for page in topics if not page.accepts_opinions())
        assert closed.opinions_close_at < timezone.now()
        assert Opinion.objects.shown().filter(page=closed).exists()

    def test_every_kind_of_post(self):
        kinds = set(BlogPage.objects.live().values_list("kind", flat=True))
        assert kinds == set(BlogKind.values)

    def test_the_notice_board_is_filled(self, client):
        page = BeautifulSoup(client.get("/").content.decode(), "html.parser")
        assert len(page.select(".notice-board__item")) == Opinion.objects.promoted().count()

    def test_the_demo_markup_opinion_is_pending_and_not_shown(self, client):
        marked_up = Opinion.objects.get(author_name="<b>测试</b>")
        assert marked_up.state == OpinionState.PENDING
        html = client.get(marked_up.page.url).content.decode()
        assert "<script>alert" not in html
        assert "测试</b>" not in html

    def test_seeding_twice_adds_no_opinions(self):
        before = Opinion.objects.count()
        seed()
        assert Opinion.objects.count() == before
