"""``seed_demo``'s briefings and hearings: briefings past and coming, hearings in every state,
one decided with its summary and decision, all published as the admin would leave them."""

from bs4 import BeautifulSoup

from audit.models import AuditEntry
from hearings.models import BriefingPage, HearingPage, HearingState
from opinions.models import Opinion, OpinionState
from tests.demo.conftest import seed
from tests.hearings.conftest import ENGLISH


def test_briefings_past_and_coming():
    briefings = BriefingPage.objects.live()
    assert briefings.past().count() >= 2
    assert briefings.upcoming().count() >= 1
    # Feedback raised at past briefings, some answered, some still open.
    items = [item for page in briefings.past() for item in page.feedback_items.all()]
    assert any(item.is_open for item in items)
    assert any(not item.is_open and item.answered_on for item in items)
    # The coming briefing answers the one before it.
    coming = briefings.upcoming().first()
    assert list(coming.you_said_we_did())


def test_hearings_in_every_state():
    states = {page.state for page in HearingPage.objects.live()}
    assert states == set(HearingState.values)


def test_a_decided_hearing_with_its_summary_and_decision(client):
    decided = [page for page in HearingPage.objects.live() if page.state == HearingState.DECIDED]
    assert len(decided) == 1
    page = decided[0]
    assert page.summary_is_written()
    assert page.decision_is_written()
    assert page.decision_published_by.username == "moderator"
    assert page.decision_published_at is not None
    # Published as the admin leaves a page: its live revision is the latest, nothing pending.
    assert page.live_revision_id == page.latest_revision_id
    assert page.first_published_at is not None
    assert not page.has_unpublished_changes
    # Who published the decision is in the audit chain.
    entry = AuditEntry.objects.get(detail="hearings.publish_decision", object_id=str(page.pk))
    assert entry.username == "moderator"

    article = BeautifulSoup(client.get(page.url, **ENGLISH).content, "html.parser").select_one(
        "article"
    )
    assert "decision published" in article.get_text()
    assert BeautifulSoup(page.decision, "html.parser").get_text() in article.get_text()


def test_a_hearing_in_consultation_has_opinions_waiting_and_shown():
    open_now = HearingPage.objects.live().in_consultation().first()
    assert open_now is not None
    states = set(Opinion.objects.filter(page=open_now).values_list("state", flat=True))
    assert {OpinionState.APPROVED, OpinionState.PENDING} <= states


def test_seeding_twice_adds_nothing():
    counts = (BriefingPage.objects.count(), HearingPage.objects.count(), Opinion.objects.count())
    seed()
    assert (
        BriefingPage.objects.count(),
        HearingPage.objects.count(),
        Opinion.objects.count(),
    ) == counts
