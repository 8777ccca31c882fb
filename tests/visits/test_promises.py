"""A promise (承诺) is open until it is kept (what was done, stamped) or handed on (to whom,
with the reason): named transitions, for the roles that visit, refused for the others and in
the wrong state; every step in the history."""

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.transitions import ReasonRequired, TransitionRefused, perform
from tests.support import logged_in
from visits.factories import PromiseFactory
from visits.models import Promise, PromiseState

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(make_user):
    from core import roles

    return make_user(roles.PARTY_OFFICE, username="party")


def test_a_cadre_keeps_a_promise_saying_what_was_done(cadre):
    promise = PromiseFactory()

    perform(promise, "keep", cadre, outcome="已联系物业修好扶手")

    promise.refresh_from_db()
    assert promise.state == PromiseState.DONE
    assert promise.outcome == "已联系物业修好扶手"
    assert promise.done_at is not None
    latest = promise.history.first()
    assert latest.history_user == cadre


def test_the_office_hands_a_promise_on_with_its_reason(office):
    promise = PromiseFactory()

    perform(promise, "hand_on", office, reason="需要街道协调", handed_to="街道城管科")

    promise.refresh_from_db()
    assert promise.state == PromiseState.HANDED_ON
    assert (promise.handed_to, promise.handed_on_reason) == ("街道城管科", "需要街道协调")
    assert promise.handed_on_at is not None
    assert promise.history.first().history_change_reason == "需要街道协调"


def test_handing_on_without_a_reason_is_refused(cadre):
    promise = PromiseFactory()
    with pytest.raises(ReasonRequired):
        perform(promise, "hand_on", cadre, handed_to="街道城管科")
    promise.refresh_from_db()
    assert promise.state == PromiseState.OPEN


@pytest.mark.parametrize("role", ["supervisor", "editor", "moderator", "clerk"])
def test_other_roles_may_not_keep_or_hand_on(request, role):
    user = request.getfixturevalue(role)
    promise = PromiseFactory()
    with pytest.raises(PermissionDenied):
        perform(promise, "keep", user, outcome="x")
    with pytest.raises(PermissionDenied):
        perform(promise, "hand_on", user, reason="x", handed_to="y")
    promise.refresh_from_db()
    assert promise.state == PromiseState.OPEN


def test_a_kept_promise_is_not_kept_or_handed_on_again(cadre):
    promise = PromiseFactory()
    perform(promise, "keep", cadre, outcome="已办")
    with pytest.raises(TransitionRefused):
        perform(promise, "keep", cadre, outcome="再办")
    with pytest.raises(TransitionRefused):
        perform(promise, "hand_on", cadre, reason="x", handed_to="y")
    promise.refresh_from_db()
    assert promise.outcome == "已办"


class TestTheConfirmationPage:
    def url(self, promise, name):
        return reverse("wagtailsnippets_visits_promise:transition", args=[promise.pk, name])

    def test_the_cadre_keeps_a_promise_through_the_admin(self, cadre):
        promise = PromiseFactory()
        client = logged_in(cadre)
        assert client.get(self.url(promise, "keep")).status_code == 200

        response = client.post(self.url(promise, "keep"), {"outcome": "已送去米面油"})

        assert response.status_code == 302
        promise.refresh_from_db()
        assert (promise.state, promise.outcome) == (PromiseState.DONE, "已送去米面油")

    def test_keeping_without_what_was_done_changes_nothing(self, cadre):
        promise = PromiseFactory()
        response = logged_in(cadre).post(self.url(promise, "keep"), {"outcome": ""})
        assert response.status_code == 200
        assert Promise.objects.get(pk=promise.pk).state == PromiseState.OPEN

    def test_handing_on_asks_for_the_reason(self, cadre):
        promise = PromiseFactory()
        client = logged_in(cadre)
        response = client.post(self.url(promise, "hand_on"), {"handed_to": "街道民政科"})
        assert response.status_code == 200
        assert Promise.objects.get(pk=promise.pk).state == PromiseState.OPEN

        client.post(
            self.url(promise, "hand_on"), {"handed_to": "街道民政科", "reason": "涉及低保审批"}
        )
        promise.refresh_from_db()
        assert (promise.state, promise.handed_to) == (PromiseState.HANDED_ON, "街道民政科")

    def test_a_supervisor_is_refused_the_step(self, supervisor):
        promise = PromiseFactory()
        response = logged_in(supervisor).post(self.url(promise, "keep"), {"outcome": "x"})
        # The admin refuses as it does: 403, or back to the dashboard.
        assert response.status_code == 403 or response["Location"].rstrip("/").endswith("/admin")
        assert Promise.objects.get(pk=promise.pk).state == PromiseState.OPEN
