"""The decision gate: the named transition ``publish_decision`` runs only for Moderators,
only after the consultation has closed and once the summary of opinions and the decision
are written; the admin view says what blocks it, and publishing is recorded in the page's
log and the audit chain. A published decision is never taken back by a page revision."""

import pytest
from bs4 import BeautifulSoup

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from wagtail.models import PageLogEntry

from audit.models import Action, AuditEntry
from core import roles
from core.transitions import TransitionRefused, perform
from hearings.factories import HearingPageFactory
from hearings.models import DecisionState, HearingPage, HearingState
from tests.hearings.conftest import ENGLISH, shanghai
from tests.support import logged_in

OPENS = shanghai(2026, 11, 20, 9, 0)
CLOSES = shanghai(2026, 12, 1, 0, 30)
AFTER = shanghai(2026, 12, 2, 10, 0)
SUMMARY = "<p>共收到意见20条，多数居民支持改造，希望保留老树。</p>"
DECISION = "<p>决定按方案实施，保留全部老树，明年三月开工。</p>"
DECISION_TEXT = "决定按方案实施，保留全部老树，明年三月开工。"


@pytest.fixture
def make_hearing(hearings):
    def make(summary=SUMMARY, decision=DECISION, **fields):
        return HearingPageFactory(
            consultation_opens=OPENS,
            consultation_closes=CLOSES,
            starts_at=shanghai(2026, 11, 28, 19, 0),
            summary=summary,
            decision=decision,
            **fields,
        )

    return make


def fresh(page):
    return HearingPage.objects.get(pk=page.pk)


def assert_still_pending(page):
    page = fresh(page)
    assert page.decision_state == DecisionState.PENDING
    assert page.decision_published_at is None
    assert page.decision_published_by is None


# --- The transition ---------------------------------------------------------------------


def test_refused_before_the_consultation_closes(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(shanghai(2026, 11, 30, 12, 0))
    with pytest.raises(TransitionRefused):
        perform(fresh(page), "publish_decision", moderator)
    # Not even at the last second.
    clock.set(shanghai(2026, 12, 1, 0, 29, 59))
    with pytest.raises(TransitionRefused):
        perform(fresh(page), "publish_decision", moderator)
    assert_still_pending(page)


@pytest.mark.parametrize(
    ("summary", "decision"),
    [("", DECISION), ("<p> </p>", DECISION), (SUMMARY, ""), (SUMMARY, "<p><br/></p>")],
    ids=["no-summary", "blank-summary", "no-decision", "blank-decision"],
)
def test_refused_until_the_summary_and_the_decision_are_written(
    make_hearing, moderator, clock, summary, decision
):
    page = make_hearing(summary=summary, decision=decision)
    clock.set(AFTER)
    with pytest.raises(TransitionRefused):
        perform(fresh(page), "publish_decision", moderator)
    assert_still_pending(page)


def test_allowed_to_a_moderator_once_closed_and_written(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(CLOSES)
    perform(fresh(page), "publish_decision", moderator)
    page = fresh(page)
    assert page.decision_state == DecisionState.PUBLISHED
    assert page.state == HearingState.DECIDED
    assert page.decision_published_at == CLOSES
    assert page.decision_published_by == moderator
    # Once only.
    clock.advance(days=1)
    with pytest.raises(TransitionRefused):
        perform(page, "publish_decision", moderator)
    assert fresh(page).decision_published_at == CLOSES


@pytest.mark.parametrize("group", [roles.EDITORS, roles.MEETING_CLERKS, roles.SUPERVISORS])
def test_refused_to_other_roles(make_hearing, make_user, clock, group):
    page = make_hearing()
    clock.set(AFTER)
    user = make_user(group)
    with pytest.raises(PermissionDenied):
        perform(fresh(page), "publish_decision", user)
    assert_still_pending(page)


# --- The admin view ---------------------------------------------------------------------


def view_url(page):
    return reverse("page_transition", args=[page.pk, "publish_decision"])


def test_the_admin_view_is_at_its_documented_address(make_hearing):
    page = make_hearing()
    assert view_url(page) == f"/admin/pages/{page.pk}/transition/publish_decision/"


def test_the_admin_view_lists_what_blocks_the_decision(make_hearing, moderator, clock):
    page = make_hearing(summary="", decision="")
    clock.set(shanghai(2026, 11, 25, 12, 0))
    client = logged_in(moderator)

    response = client.get(view_url(page), **ENGLISH)
    assert response.status_code == 200
    html = BeautifulSoup(response.content.decode(), "html.parser")
    blockers = [li.get_text(strip=True) for li in html.select("main ul li")]
    # (English ends "a.m.." here: the date's own full stop, then the sentence's.)
    assert any(
        b.startswith("The consultation closes on Dec. 1, 2026, 12:30 a.m.") for b in blockers
    )
    assert len(blockers) == 3
    assert "The summary of opinions has not been written." in blockers
    assert "The decision has not been written." in blockers
    assert html.select_one("main form[method=post]") is None

    # Posting anyway (a form left open in another tab) publishes nothing.
    response = client.post(view_url(page), **ENGLISH, follow=True)
    assert "The decision cannot be published yet" in response.content.decode()
    assert_still_pending(page)


def test_a_moderator_publishes_the_decision_in_the_admin(make_hearing, moderator, client, clock):
    page = make_hearing()
    clock.set(AFTER)
    admin = logged_in(moderator)

    # The page's header offers the action.
    edit = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert edit.status_code == 200
    assert view_url(page) in edit.content.decode()

    response = admin.get(view_url(page), **ENGLISH)
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").select_one("main form[method=post]")

    response = admin.post(view_url(page), **ENGLISH)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    published = fresh(page)
    assert published.decision_state == DecisionState.PUBLISHED
    assert published.decision_published_by == moderator
    assert published.decision_published_at == AFTER
    # Published, the header no longer offers it.
    edit = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert view_url(page) not in edit.content.decode()

    # The resident sees the decision, the summary and the date it was published.
    public = client.get(page.url, **ENGLISH)
    text = BeautifulSoup(public.content, "html.parser").select_one("article").get_text(" ")
    assert "decision published" in text
    assert DECISION_TEXT in text
    assert "希望保留老树" in text
    assert "Published" in text and "Dec. 2, 2026, 10 a.m." in text

    # The page's log and the audit chain record who did it.
    log = PageLogEntry.objects.get(page=page, action="hearings.publish_decision")
    assert log.user == moderator
    entry = AuditEntry.objects.get(detail="hearings.publish_decision", object_id=str(page.pk))
    assert entry.username == "moderator"
    assert entry.action == Action.TRANSITION
    assert entry.source == log


def test_publishing_twice_in_the_admin_changes_nothing(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(AFTER)
    admin = logged_in(moderator)
    assert admin.post(view_url(page)).status_code == 302
    clock.advance(hours=1)

    # A second tab still showing the form: told it is already published, nothing changes.
    response = admin.get(view_url(page), **ENGLISH)
    assert response.status_code == 200
    assert "The decision is already published." in response.content.decode()
    response = admin.post(view_url(page), **ENGLISH, follow=True)
    assert "The decision is already published." in response.content.decode()
    assert fresh(page).decision_published_at == AFTER
    assert PageLogEntry.objects.filter(page=page, action="hearings.publish_decision").count() == 1


def test_before_the_decision_the_public_page_does_not_show_it(make_hearing, client, clock):
    page = make_hearing()
    clock.set(AFTER)
    response = client.get(page.url, **ENGLISH)
    text = BeautifulSoup(response.content, "html.parser").select_one("article").get_text(" ")
    assert "consultation closed" in text
    assert DECISION_TEXT not in text
    assert "希望保留老树" not in text


@pytest.mark.parametrize("group", [roles.EDITORS, roles.MEETING_CLERKS, roles.SUPERVISORS])
def test_other_roles_cannot_use_the_admin_view(make_hearing, make_user, clock, group):
    page = make_hearing()
    clock.set(AFTER)
    client = logged_in(make_user(group))
    assert client.get(view_url(page)).status_code != 200
    response = client.post(view_url(page))
    assert response.status_code in (302, 403)
    assert response.get("Location", "") != reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert_still_pending(page)
    assert not PageLogEntry.objects.filter(action="hearings.publish_decision").exists()
    if group == roles.EDITORS:
        edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert edit.status_code == 200
        assert view_url(page) not in edit.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(make_hearing, client, clock):
    page = make_hearing()
    clock.set(AFTER)
    response = client.post(view_url(page))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert_still_pending(page)


# --- Revisions never take a decision back ------------------------------------------------


def test_publishing_an_older_revision_keeps_the_decision(make_hearing, moderator, editor, clock):
    page = make_hearing()
    older = page.latest_revision
    # An editor's draft, saved before the decision was published.
    draft = fresh(page)
    draft.matter = "补充：施工期间保留一条通道。"
    draft_revision = draft.save_revision(user=editor)
    assert draft_revision.content["decision_state"] == DecisionState.PENDING

    clock.set(AFTER)
    perform(fresh(page), "publish_decision", moderator)

    # The draft is approved and published later; then someone publishes the older revision.
    type(draft_revision).objects.get(pk=draft_revision.pk).publish(user=moderator)
    page = fresh(page)
    assert page.matter == "补充：施工期间保留一条通道。"
    assert page.decision_state == DecisionState.PUBLISHED

    type(older).objects.get(pk=older.pk).publish(user=moderator)
    page = fresh(page)
    assert page.live_revision_id == older.pk
    assert page.decision_state == DecisionState.PUBLISHED
    assert page.decision_published_by == moderator
    assert page.decision_published_at == AFTER
    assert page.state == HearingState.DECIDED
