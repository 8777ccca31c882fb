"""The named transitions of co-building: an agreement ends (with its reason), an activity is
published (once it has taken place and names its partners) and withdrawn (with a reason).
Each by the party-affairs office, refused to every other role and in the wrong state, and
kept in the history with the user and the reason."""

import datetime

import pytest
import time_machine

from django.core.exceptions import PermissionDenied

from cobuilding.factories import AgreementFactory, JointActivityFactory, PartnerFactory
from cobuilding.models import ActivityState, AgreementState, JointActivity
from core.transitions import ReasonRequired, TransitionRefused, perform
from tests.support import logged_in

from .support import ACTIVITIES, AGREEMENTS, refused, transition_url

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


class TestEndingAnAgreement:
    def test_the_office_ends_it_with_a_reason_kept_in_the_history(self, office):
        agreement = AgreementFactory()
        (created,) = agreement.history.all()
        assert created.history_type == "+"

        perform(agreement, "end", office, reason="对方单位搬离辖区")

        agreement.refresh_from_db()
        assert agreement.state == AgreementState.ENDED
        assert agreement.ended_on == datetime.date(2026, 6, 15)
        ended, _created = agreement.history.all()
        assert (ended.history_type, ended.state) == ("~", AgreementState.ENDED)
        assert (ended.history_user_id, ended.history_change_reason) == (
            office.pk,
            "对方单位搬离辖区",
        )

    def test_not_without_a_reason(self, office):
        agreement = AgreementFactory()
        with pytest.raises(ReasonRequired):
            perform(agreement, "end", office, reason="  ")
        agreement.refresh_from_db()
        assert agreement.state == AgreementState.IN_FORCE
        assert agreement.history.count() == 1

    def test_not_twice(self, office):
        agreement = AgreementFactory()
        perform(agreement, "end", office, reason="期满")
        with pytest.raises(TransitionRefused):
            perform(agreement, "end", office, reason="再次")
        assert agreement.history.count() == 2

    def test_refused_to_every_other_role(self, wrong_users):
        agreement = AgreementFactory()
        for user in wrong_users:
            with pytest.raises(PermissionDenied):
                perform(agreement, "end", user, reason="越权")
        agreement.refresh_from_db()
        assert (agreement.state, agreement.history.count()) == (AgreementState.IN_FORCE, 1)

    def test_through_the_admin_by_the_office(self, office):
        agreement = AgreementFactory()
        url = transition_url(AGREEMENTS, agreement, "end")
        client = logged_in(office)
        assert client.get(url).status_code == 200
        # Without the reason nothing changes.
        assert client.post(url, {"reason": ""}).status_code == 200
        agreement.refresh_from_db()
        assert agreement.state == AgreementState.IN_FORCE

        response = client.post(url, {"reason": "协议期满"})

        assert response.status_code == 302
        agreement.refresh_from_db()
        assert agreement.state == AgreementState.ENDED
        assert agreement.history.latest().history_change_reason == "协议期满"

    def test_through_the_admin_refused_to_the_wrong_roles(self, wrong_users):
        agreement = AgreementFactory()
        url = transition_url(AGREEMENTS, agreement, "end")
        for user in wrong_users:
            response = logged_in(user).post(url, {"reason": "越权"})
            assert refused(response), (user.username, response.status_code)
        agreement.refresh_from_db()
        assert (agreement.state, agreement.history.count()) == (AgreementState.IN_FORCE, 1)


class TestPublishingAnActivity:
    def test_the_office_publishes_it(self, office):
        activity = JointActivityFactory(partners=[PartnerFactory()])

        perform(activity, "publish", office, reason="活动已举办")

        activity.refresh_from_db()
        assert activity.state == ActivityState.PUBLISHED
        assert activity.published_at == TODAY
        assert list(JointActivity.objects.published()) == [activity]
        latest = activity.history.latest()
        assert (latest.state, latest.history_user_id, latest.history_change_reason) == (
            ActivityState.PUBLISHED,
            office.pk,
            "活动已举办",
        )

    def test_a_draft_is_not_published(self):
        JointActivityFactory(partners=[PartnerFactory()])
        assert not JointActivity.objects.published().exists()

    def test_not_without_partners(self, office):
        activity = JointActivityFactory()
        with pytest.raises(TransitionRefused):
            perform(activity, "publish", office)
        activity.refresh_from_db()
        assert activity.state == ActivityState.DRAFT

    def test_not_before_it_has_taken_place(self, office):
        activity = JointActivityFactory(
            partners=[PartnerFactory()], date=datetime.date(2026, 6, 16)
        )
        with pytest.raises(TransitionRefused):
            perform(activity, "publish", office)
        activity.refresh_from_db()
        assert (activity.state, activity.published_at) == (ActivityState.DRAFT, None)

    def test_on_the_day_it_takes_place(self, office):
        activity = JointActivityFactory(
            partners=[PartnerFactory()], date=datetime.date(2026, 6, 15)
        )
        perform(activity, "publish", office)
        activity.refresh_from_db()
        assert activity.state == ActivityState.PUBLISHED

    def test_refused_to_every_other_role(self, wrong_users):
        activity = JointActivityFactory(partners=[PartnerFactory()])
        rows = activity.history.count()
        for user in wrong_users:
            with pytest.raises(PermissionDenied):
                perform(activity, "publish", user)
            response = logged_in(user).post(
                transition_url(ACTIVITIES, activity, "publish"), {"reason": ""}
            )
            assert refused(response), (user.username, response.status_code)
        activity.refresh_from_db()
        assert (activity.state, activity.history.count()) == (ActivityState.DRAFT, rows)

    def test_withdrawn_with_a_reason(self, office):
        activity = JointActivityFactory(partners=[PartnerFactory()])
        perform(activity, "publish", office)
        with pytest.raises(ReasonRequired):
            perform(activity, "withdraw", office)
        perform(activity, "withdraw", office, reason="照片涉及居民隐私，撤回修改")
        activity.refresh_from_db()
        assert (activity.state, activity.published_at) == (ActivityState.DRAFT, None)
        latest = activity.history.latest()
        assert (latest.history_user_id, latest.history_change_reason) == (
            office.pk,
            "照片涉及居民隐私，撤回修改",
        )

    def test_a_draft_cannot_be_withdrawn(self, office):
        activity = JointActivityFactory(partners=[PartnerFactory()])
        with pytest.raises(TransitionRefused):
            perform(activity, "withdraw", office, reason="撤回")

    def test_the_listing_offers_publish_to_the_office_only(self, office, supervisor):
        activity = JointActivityFactory(partners=[PartnerFactory()])
        url = transition_url(ACTIVITIES, activity, "publish")
        assert url in logged_in(office).get(ACTIVITIES).content.decode()
        listing = logged_in(supervisor).get(ACTIVITIES)
        assert listing.status_code == 200
        assert url not in listing.content.decode()

    def test_published_through_the_admin(self, office):
        activity = JointActivityFactory(partners=[PartnerFactory()])
        response = logged_in(office).post(
            transition_url(ACTIVITIES, activity, "publish"), {"reason": ""}
        )
        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.state == ActivityState.PUBLISHED
