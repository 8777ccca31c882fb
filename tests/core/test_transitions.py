"""The one way to run a named transition in the admin (``core.transition_views``), as every
module uses it: labels declared once beside the transitions, the roles checked before
anything else, the reason validated (never cut), ``next`` followed only within the site, a
refusal explained, and the listing buttons offered only to those who may run the step."""

import pytest
from bs4 import BeautifulSoup

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from audit.models import Action, AuditEntry
from blog.factories import BlogPageFactory
from core.forms import REASON_MAX_LENGTH
from core.transition_views import TransitionForm, TransitionView
from core.transitions import (
    declared,
    labelled_transitions,
    offered_transitions,
    perform,
    transition_label,
)
from duty.factories import DutyRecordFactory
from duty.models import DutyRecord, DutyRecordState, DutyShift
from hearings.factories import HearingPageFactory
from hearings.models import DecisionState, HearingPage
from opinions.factories import OpinionFactory
from opinions.models import Opinion, OpinionState
from tests.support import logged_in, ui
from votes.factories import MotionFactory
from votes.models import Motion, MotionState

ENGLISH = {"accept-language": "en"}
XHR = {"x-requested-with": "XMLHttpRequest"}
EVIL = "https://evil.example/"


def transition_url(instance, name):
    return reverse(
        type(instance).snippet_viewset.get_url_name("transition"), args=[instance.pk, name]
    )


def listing_url(model):
    return reverse(model.snippet_viewset.get_url_name("list"))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def transitions_recorded(instance):
    return AuditEntry.objects.filter(object_id=str(instance.pk), action=Action.TRANSITION)


def state_of(instance):
    return type(instance)._base_manager.get(pk=instance.pk).state


# For each module with snippet transitions: how to make a record, one step it offers from
# that state, the state it leads to, and who may (and who may not, though they see the
# listing) run it.
CASES = {
    "opinions": (
        lambda: OpinionFactory(page=BlogPageFactory(title="停车")),
        "approve",
        OpinionState.APPROVED,
        "moderator",
        "supervisor",
    ),
    "votes": (
        lambda: MotionFactory(title="路灯改造"),
        "open",
        MotionState.OPEN,
        "clerk",
        "supervisor",
    ),
    "duty": (DutyRecordFactory, "take_on", DutyRecordState.IN_PROGRESS, "cadre", "supervisor"),
}


@pytest.fixture(params=list(CASES))
def case(request):
    make, name, target, allowed, denied = CASES[request.param]
    return {
        "record": make(),
        "name": name,
        "target": target,
        "allowed": request.getfixturevalue(allowed),
        "denied": request.getfixturevalue(denied),
    }


class TestDeclarations:
    def test_labels_are_declared_beside_the_transitions(self):
        assert labelled_transitions(Opinion) == [
            "approve",
            "reject",
            "mark_spam",
            "promote",
            "demote",
        ]
        assert labelled_transitions(Motion) == ["open", "close", "publish_results"]
        assert labelled_transitions(DutyRecord) == [
            "take_on",
            "resolve",
            "refer",
            "correct_received_at",
            "reopen",
        ]
        assert labelled_transitions(HearingPage) == ["publish_decision", "correct_decision"]
        # A step on a record without a state is declared in the same words.
        assert labelled_transitions(DutyShift) == ["reassign"]
        with translation.override("en"):
            assert str(transition_label(Opinion, "mark_spam")) == "Mark as spam"
            # The label is the same whichever source state the transition starts from.
            assert str(transition_label(Opinion(), "reject")) == "Reject"

    def test_a_condition_declares_what_it_refuses(self):
        refused = declared(DutyRecord, "resolve", "refused")
        with translation.override("en"):
            assert str(refused) == "Write the answer to the resident and the result first."
        assert declared(DutyRecord, "take_on", "refused") is None


# A page instance reads its content type: the database is needed.
@pytest.mark.django_db
class TestStepForms:
    """A step that takes more than the reason declares its form beside it; the one view
    shows its fields, the reason last, and gives their values to the transition."""

    def test_the_form_is_declared_beside_the_step(self):
        from duty.admin_forms import CorrectReceivedForm, ReassignForm
        from hearings.admin_forms import DecisionCorrectionForm

        assert declared(DutyRecord, "correct_received_at", "form") == (
            "duty.admin_forms.CorrectReceivedForm"
        )
        view = TransitionView()
        for instance, name, form_class in [
            (DutyRecord(), "correct_received_at", CorrectReceivedForm),
            (DutyShift(), "reassign", ReassignForm),
            (HearingPage(), "correct_decision", DecisionCorrectionForm),
            (DutyRecord(), "take_on", TransitionForm),
        ]:
            view.object, view.name = instance, name
            assert view.get_form_class() is form_class
            assert issubclass(form_class, TransitionForm)

    @pytest.mark.django_db
    def test_the_reason_comes_last_and_the_rest_are_the_arguments(self):
        from duty.admin_forms import CorrectReceivedForm

        record = DutyRecordFactory()
        form = CorrectReceivedForm(
            {"received_at": "2020-01-01 08:00", "reason": "补记"}, instance=record
        )

        assert list(form.fields) == ["received_at", "reason"]
        assert form.is_valid(), form.errors
        assert set(form.arguments()) == {"received_at"}
        assert form.instance is record


@pytest.mark.django_db
class TestTheView:
    def test_the_allowed_user_confirms_then_runs_the_step(self, case):
        record, name = case["record"], case["name"]
        client = logged_in(case["allowed"])

        confirm = client.get(transition_url(record, name), headers=ENGLISH)
        assert confirm.status_code == 200
        page = BeautifulSoup(confirm.content, "html.parser")
        with translation.override("en"):
            label = str(transition_label(record, name))
            done = f"{label}: “{record}”."
        assert page.select_one("main form button[type=submit]").get_text(strip=True) == label
        reason = page.select_one("main form textarea[name=reason]")
        assert reason["maxlength"] == str(REASON_MAX_LENGTH)

        response = client.post(
            transition_url(record, name), {"reason": "会议决定"}, headers=ENGLISH
        )
        assert response.status_code == 302
        assert response["Location"] == listing_url(type(record))
        assert state_of(record) == case["target"]
        (entry,) = transitions_recorded(record)
        assert (entry.detail, entry.reason) == (name, "会议决定")
        assert messages_of(response) == [done]

    def test_the_wrong_user_is_refused_and_nothing_changes(self, case):
        record, name = case["record"], case["name"]
        before = state_of(record)
        client = logged_in(case["denied"])

        # PermissionDenied: Wagtail's admin answers a page request by sending the user to
        # the dashboard, told why, and a script's request with 403.
        for response in (
            client.get(transition_url(record, name)),
            client.post(transition_url(record, name), {"reason": "x"}),
        ):
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")
        assert client.post(transition_url(record, name), headers=XHR).status_code == 403
        assert client.get(transition_url(record, name), headers=XHR).status_code == 403
        assert state_of(record) == before
        assert not transitions_recorded(record).exists()

    def test_a_name_that_is_not_a_labelled_transition_is_refused(self, case):
        record = case["record"]
        client = logged_in(case["allowed"])
        for name in ("delete", "save", "refresh_from_db", "nothing"):
            assert client.post(transition_url(record, name), headers=XHR).status_code == 403
        assert not transitions_recorded(record).exists()

    def test_an_overlong_reason_is_refused_with_a_message_and_nothing_changes(self, case):
        record, name = case["record"], case["name"]
        before = state_of(record)
        client = logged_in(case["allowed"])

        response = client.post(
            transition_url(record, name),
            {"reason": "长" * (REASON_MAX_LENGTH + 1)},
            headers=ENGLISH,
        )

        assert response.status_code == 200
        errors = BeautifulSoup(response.content, "html.parser").select_one(
            "main form [data-field-errors]"
        )
        assert f"at most {REASON_MAX_LENGTH} characters" in errors.get_text()
        assert state_of(record) == before
        assert not transitions_recorded(record).exists()

    def test_a_reason_of_the_full_length_is_kept_whole(self, case):
        record, name = case["record"], case["name"]
        reason = "长" * REASON_MAX_LENGTH
        logged_in(case["allowed"]).post(transition_url(record, name), {"reason": reason})
        (entry,) = transitions_recorded(record)
        assert entry.reason == reason

    def test_an_unsafe_next_is_ignored(self, case):
        record, name = case["record"], case["name"]
        client = logged_in(case["allowed"])
        listing = listing_url(type(record))

        confirm = client.get(transition_url(record, name), {"next": EVIL})
        page = BeautifulSoup(confirm.content, "html.parser")
        assert page.select_one("main form input[name=next]")["value"] == ""
        assert EVIL not in confirm.content.decode()

        response = client.post(transition_url(record, name), {"reason": "", "next": EVIL})
        assert response["Location"] == listing
        assert state_of(record) == case["target"]

    def test_a_safe_next_is_followed(self, case):
        record, name = case["record"], case["name"]
        back = listing_url(type(record)) + "?p=2"
        response = logged_in(case["allowed"]).post(
            transition_url(record, name), {"reason": "", "next": back}
        )
        assert response["Location"] == back

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_step_the_state_no_longer_allows_is_explained(self, case, method):
        record, name = case["record"], case["name"]
        client = logged_in(case["allowed"])
        client.post(transition_url(record, name), {"reason": ""}, follow=True)
        record = type(record)._base_manager.get(pk=record.pk)

        # A second tab, or a second person, comes after the first.
        response = getattr(client, method)(transition_url(record, name), headers=ENGLISH)

        assert response.status_code == 302
        assert response["Location"] == listing_url(type(record))
        with translation.override("en"):
            state = record.get_state_display()
        assert messages_of(response) == [f"“{record}” is {state} now: that step is not possible."]
        assert transitions_recorded(record).count() == 1

    def test_a_condition_that_refuses_says_what_is_missing(self, cadre):
        record = DutyRecordFactory()
        response = logged_in(cadre).post(
            transition_url(record, "resolve"), {"reason": ""}, headers=ENGLISH
        )
        assert response.status_code == 302
        assert messages_of(response) == [
            ui("en", "Write the answer to the resident and the result first.")
        ]
        assert state_of(record) == DutyRecordState.RECEIVED
        assert not transitions_recorded(record).exists()


@pytest.mark.django_db
class TestTheListingButtons:
    def test_each_modules_buttons_appear_only_for_allowed_users(self, case):
        record, name = case["record"], case["name"]
        listing = listing_url(type(record))

        allowed = logged_in(case["allowed"]).get(listing).content.decode()
        denied = logged_in(case["denied"]).get(listing)

        assert transition_url(record, name) in allowed
        assert denied.status_code == 200
        assert str(record.pk) in denied.content.decode()
        assert "/transition/" not in denied.content.decode()

    def test_only_the_steps_the_state_allows_are_offered(self, case):
        record, name = case["record"], case["name"]
        assert name in offered_transitions(record, case["allowed"])
        assert offered_transitions(record, case["denied"]) == []
        perform(record, name, case["allowed"])
        assert name not in offered_transitions(record, case["allowed"])

    def test_the_buttons_come_back_to_the_listing(self, case):
        record, name = case["record"], case["name"]
        listing = listing_url(type(record))
        html = BeautifulSoup(logged_in(case["allowed"]).get(listing).content, "html.parser")
        hrefs = {a["href"] for a in html.find_all("a", href=True) if "/transition/" in a["href"]}
        assert f"{transition_url(record, name)}?next={listing.replace('/', '%2F')}" in hrefs


@pytest.mark.django_db
class TestPages:
    @pytest.fixture
    def hearing(self, db):
        return HearingPageFactory(
            state="closed", summary="<p>意见汇总。</p>", decision="<p>决定实施。</p>"
        )

    def url(self, page):
        return reverse("page_transition", args=[page.pk, "publish_decision"])

    def test_the_page_header_offers_the_step_only_to_those_who_may(
        self, hearing, moderator, editor
    ):
        edit = reverse("wagtailadmin_pages:edit", args=[hearing.pk])
        assert self.url(hearing) in logged_in(moderator).get(edit).content.decode()
        response = logged_in(editor).get(edit)
        assert response.status_code == 200
        assert "/transition/" not in response.content.decode()

    def test_the_wrong_user_is_refused_and_nothing_changes(self, hearing, editor):
        client = logged_in(editor)
        assert client.post(self.url(hearing), headers=XHR).status_code == 403
        assert client.post(self.url(hearing))["Location"] == reverse("wagtailadmin_home")
        assert HearingPage.objects.get(pk=hearing.pk).decision_state == DecisionState.PENDING

    def test_an_unsafe_next_goes_back_to_the_edit_view(self, hearing, moderator):
        response = logged_in(moderator).post(self.url(hearing), {"reason": "", "next": EVIL})
        assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[hearing.pk])
        assert HearingPage.objects.get(pk=hearing.pk).decision_state == DecisionState.PUBLISHED

    def test_an_overlong_reason_publishes_nothing(self, hearing, moderator):
        response = logged_in(moderator).post(
            self.url(hearing), {"reason": "长" * (REASON_MAX_LENGTH + 1)}
        )
        assert response.status_code == 200
        assert HearingPage.objects.get(pk=hearing.pk).decision_state == DecisionState.PENDING
