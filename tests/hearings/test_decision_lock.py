"""Once the decision is published, its summary of opinions and decision are fixed in every
later revision: the page's form refuses to change them, and publishing any revision keeps
them; a correction is a new decision with its reason, recorded in the page's log and in
history and shown on the page below the original. And nothing of the summary is
searchable before the decision is public."""

import pytest
from bs4 import BeautifulSoup

from django.core.exceptions import ValidationError
from django.urls import reverse

from wagtail.models import PageLogEntry
from wagtail.test.utils.form_data import rich_text

from core import roles
from core.transitions import perform
from hearings.factories import HearingPageFactory
from hearings.models import DecisionCorrection, DecisionState, HearingPage
from tests.hearings.conftest import ENGLISH, shanghai
from tests.hearings.test_decision import AFTER, CLOSES, DECISION, DECISION_TEXT, OPENS, SUMMARY
from tests.hearings.test_states import hearing_form
from tests.support import logged_in

CHANGED = "<p>决定暂缓实施。</p>"
REFUSAL = "The decision has been published"


def fresh(page):
    return HearingPage.objects.get(pk=page.pk)


@pytest.fixture
def make_hearing(hearings):
    def make(summary=SUMMARY, decision=DECISION):
        return HearingPageFactory(
            consultation_opens=OPENS,
            consultation_closes=CLOSES,
            starts_at=shanghai(2026, 11, 28, 19, 0),
            summary=summary,
            decision=decision,
        )

    return make


@pytest.fixture
def decided(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(AFTER)
    perform(fresh(page), "publish_decision", moderator)
    return fresh(page)


def edit(client, page, action="publish", **fields):
    data = hearing_form(
        **{
            "title": page.title,
            "slug": page.slug,
            "starts_at": "2026-11-28 19:00",
            "ends_at": "",
            "summary": rich_text(SUMMARY),
            "decision": rich_text(DECISION),
            **fields,
        }
    )
    if action:
        data[f"action-{action}"] = action
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data, **ENGLISH)


def errors(response):
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return " ".join(
        e.get_text(" ", strip=True) for e in html.select(".error-message, .w-field__errors")
    )


# --- The page's form -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["summary", "decision"])
@pytest.mark.parametrize("action", ["publish", None], ids=["publish", "save-draft"])
def test_an_edit_that_changes_the_published_decision_is_refused(decided, moderator, field, action):
    revisions = decided.revisions.count()

    response = edit(logged_in(moderator), decided, action=action, **{field: rich_text(CHANGED)})

    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    page = fresh(decided)
    assert (page.summary, page.decision) == (SUMMARY, DECISION)
    assert page.revisions.count() == revisions


def test_clearing_the_published_decision_is_refused(decided, moderator):
    response = edit(logged_in(moderator), decided, decision=rich_text(""))

    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert fresh(decided).decision == DECISION


def test_an_edit_that_keeps_the_decision_is_saved(decided, moderator):
    response = edit(logged_in(moderator), decided, matter="补充说明：施工期间保留通道。")

    assert response.status_code == 302, errors(response) or response.content.decode()[:3000]
    page = fresh(decided)
    assert page.matter == "补充说明：施工期间保留通道。"
    assert page.decision_state == DecisionState.PUBLISHED
    assert DECISION_TEXT in page.decision


def test_before_publication_the_decision_may_still_change(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(AFTER)

    response = edit(logged_in(moderator), page, decision=rich_text(CHANGED))

    assert response.status_code == 302, errors(response)
    assert "决定暂缓实施" in fresh(page).decision


def test_the_model_refuses_it_too(decided):
    page = fresh(decided)
    page.decision = CHANGED
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert list(refused.value.message_dict) == ["decision"]


def test_no_revision_brings_another_decision_back(decided, moderator, editor):
    # A revision written in code, past the form, with another decision...
    page = fresh(decided)
    page.decision = CHANGED
    page.summary = ""
    revision = page.save_revision(user=editor, clean=False)

    # ...is published with the decision as it was published.
    type(revision).objects.get(pk=revision.pk).publish(user=moderator)
    page = fresh(decided)
    assert page.live_revision_id == revision.pk
    assert (page.summary, page.decision) == (SUMMARY, DECISION)
    assert page.get_latest_revision_as_object().decision == DECISION


# --- Corrections -----------------------------------------------------------------------


def correct_url(page):
    # The correction is a step of the page, run by core's one transition view.
    return reverse("page_transition", args=[page.pk, "correct_decision"])


CORRECTED = "<p>决定按方案实施，开工推迟到明年五月。</p>"
REASON = "施工单位资质审核未通过，需重新招标。"


def test_a_moderator_records_a_correction_with_its_reason(decided, moderator, client):
    admin = logged_in(moderator)
    edit_page = admin.get(reverse("wagtailadmin_pages:edit", args=[decided.pk]))
    assert correct_url(decided) in edit_page.content.decode()
    assert admin.get(correct_url(decided)).status_code == 200

    response = admin.post(
        correct_url(decided),
        {"decision": rich_text(CORRECTED), "summary": rich_text(""), "reason": REASON},
    )

    assert response.status_code == 302
    (correction,) = DecisionCorrection.objects.filter(page=decided)
    assert "开工推迟到明年五月" in correction.decision
    assert correction.reason == REASON
    assert correction.corrected_by == moderator
    (created,) = correction.history.all()
    assert created.history_user == moderator
    assert created.history_change_reason == REASON
    log = PageLogEntry.objects.get(page=decided, action="hearings.correct_decision")
    assert log.user == moderator
    assert log.data["reason"] == REASON
    # The page's own decision stays as published.
    assert fresh(decided).decision == DECISION

    # Both are shown on the page, with the reason.
    public = client.get(decided.url, **ENGLISH)
    text = BeautifulSoup(public.content, "html.parser").select_one("article").get_text(" ")
    assert DECISION_TEXT in text
    assert "开工推迟到明年五月" in text
    assert REASON in text
    assert "Correction of the decision" in text


@pytest.mark.parametrize(
    "data",
    [
        {"decision": rich_text(CORRECTED), "reason": ""},
        {"decision": rich_text(""), "reason": REASON},
    ],
    ids=["no-reason", "no-decision"],
)
def test_a_correction_needs_a_reason_and_a_decision(decided, moderator, data):
    response = logged_in(moderator).post(correct_url(decided), {"summary": rich_text(""), **data})

    assert response.status_code == 200
    assert not DecisionCorrection.objects.exists()
    assert not PageLogEntry.objects.filter(action="hearings.correct_decision").exists()


def test_nothing_to_correct_before_the_decision_is_published(make_hearing, moderator, clock):
    page = make_hearing()
    clock.set(AFTER)
    admin = logged_in(moderator)

    response = admin.post(correct_url(page), {"decision": rich_text(CORRECTED), "reason": REASON})

    assert response.status_code in (302, 403)
    assert not DecisionCorrection.objects.exists()
    edit_page = admin.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert correct_url(page) not in edit_page.content.decode()


@pytest.mark.parametrize("group", [roles.EDITORS, roles.MEETING_CLERKS, roles.SUPERVISORS])
def test_other_roles_cannot_correct(decided, make_user, group):
    client = logged_in(make_user(group))

    response = client.post(
        correct_url(decided), {"decision": rich_text(CORRECTED), "reason": REASON}
    )

    assert response.status_code in (302, 403)
    assert response.get("Location", "") != reverse("wagtailadmin_pages:edit", args=[decided.pk])
    assert not DecisionCorrection.objects.exists()


# --- Search ----------------------------------------------------------------------------

# Words found only in the summary of opinions.
SUMMARY_ONLY = "<p>居民建议增设桂花树和休息长椅。</p>"


def found(client, query):
    response = client.get("/search/", {"q": query}, **ENGLISH)
    html = BeautifulSoup(response.content.decode(), "html.parser")
    return [a["href"] for a in html.select("ol.results h2 a")]


@pytest.mark.search_index
def test_the_summary_is_searchable_only_once_the_decision_is_public(
    make_hearing, moderator, client, clock
):
    page = make_hearing(summary=SUMMARY_ONLY)
    clock.set(AFTER)

    assert fresh(page).public_summary() == ""
    assert "桂花" not in fresh(page).han_search_text().split()
    assert found(client, "桂花树") == []

    perform(fresh(page), "publish_decision", moderator)

    assert "桂花" in fresh(page).han_search_text().split()
    assert found(client, "桂花树") == [page.url]


@pytest.mark.search_index
def test_a_corrected_summary_is_searchable_with_the_decision(decided, moderator, client):
    logged_in(moderator).post(
        correct_url(decided),
        {"decision": rich_text(CORRECTED), "summary": rich_text(SUMMARY_ONLY), "reason": REASON},
    )

    assert found(client, "桂花树") == [decided.url]
