"""Inspections of the record book: a Supervisor samples records, writes findings and
ratings and submits (the sampled records become inspected, each in its history); a Duty
cadre acknowledges. Nobody else takes these steps."""

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core import roles
from core.transitions import TransitionRefused, perform
from duty.factories import InspectionFactory, InspectionRatingFactory
from duty.models import DutyRecord, DutyRecordState, Inspection, InspectionState, Rating
from tests.support import logged_in

from .conftest import assert_refused_in_admin


def step_url(inspection, name):
    return reverse("wagtailsnippets_duty_inspection:transition", args=[inspection.pk, name])


@pytest.fixture
def sampled(make_record):
    return [
        make_record(DutyRecordState.RESOLVED),
        make_record(DutyRecordState.REFERRED),
        make_record(DutyRecordState.IN_PROGRESS),
    ]


@pytest.fixture
def draft(sampled):
    inspection = InspectionFactory(findings="记录完整，答复及时。")
    inspection.sampled.set(sampled)
    return inspection


@pytest.mark.django_db
class TestASupervisorInspects:
    def test_creates_an_inspection_in_the_admin(self, supervisor, sampled, cadre):
        today = timezone.localdate()
        client = logged_in(supervisor)

        response = client.post(
            reverse("wagtailsnippets_duty_inspection:add"),
            {
                "period_start": (today - datetime.timedelta(days=30)).isoformat(),
                "period_end": today.isoformat(),
                "sampled": [record.pk for record in sampled[:2]],
                "findings": "抽查两条记录，填写完整。",
            },
        )

        assert response.status_code == 302
        inspection = Inspection.objects.get()
        assert inspection.state == InspectionState.DRAFT
        assert set(inspection.sampled.all()) == set(sampled[:2])
        assert inspection.history.exists()
        assert {row.history_user_id for row in inspection.history.all()} == {supervisor.pk}

        response = client.post(
            reverse("wagtailsnippets_duty_inspectionrating:add"),
            {"inspection": inspection.pk, "cadre": cadre.person.pk, "rating": Rating.GOOD},
        )
        assert response.status_code == 302
        assert inspection.ratings.get().rating == Rating.GOOD

    def test_submitting_marks_the_sampled_records_inspected(self, draft, sampled, supervisor):
        not_sampled = DutyRecord.objects.create(
            resident_name="王", resident_contact="13700000000", request="路灯"
        )

        perform(draft, "submit", supervisor, reason="季度检查")

        draft.refresh_from_db()
        assert draft.state == InspectionState.SUBMITTED
        assert draft.submitted_at is not None
        assert draft.inspector == supervisor
        for record in sampled:
            record = DutyRecord.objects.get(pk=record.pk)
            assert record.inspected
            latest = record.history.latest()
            assert latest.inspected
            assert latest.history_user_id == supervisor.pk
            assert latest.history_change_reason == f"inspection #{draft.pk}"
            # The state the cadre left it in is untouched.
            assert latest.state == record.state
            assert AuditEntry.objects.filter(
                content_type__model="dutyrecord",
                object_id=str(record.pk),
                username="supervisor",
                reason=f"inspection #{draft.pk}",
            ).exists()
        assert not DutyRecord.objects.get(pk=not_sampled.pk).inspected
        assert AuditEntry.objects.filter(
            content_type__model="inspection",
            object_id=str(draft.pk),
            action="transition",
            detail="submit",
            username="supervisor",
        ).exists()

    def test_submits_through_the_admin(self, draft, supervisor):
        response = logged_in(supervisor).post(step_url(draft, "submit"), {"reason": ""})

        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.state == InspectionState.SUBMITTED
        assert all(record.inspected for record in draft.sampled.all())

    def test_an_inspection_is_submitted_once(self, draft, supervisor):
        perform(draft, "submit", supervisor)
        submitted_at = Inspection.objects.get(pk=draft.pk).submitted_at

        with pytest.raises(TransitionRefused):
            perform(draft, "submit", supervisor)
        assert Inspection.objects.get(pk=draft.pk).submitted_at == submitted_at

    @pytest.mark.parametrize(
        "group", [roles.DUTY_CADRES, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_nobody_else_submits(self, draft, make_user, group):
        user = make_user(group)

        with pytest.raises(PermissionDenied):
            perform(draft, "submit", user)
        assert_refused_in_admin(logged_in(user).post(step_url(draft, "submit")))

        draft.refresh_from_db()
        assert draft.state == InspectionState.DRAFT
        assert not DutyRecord.objects.filter(inspected=True).exists()

    def test_a_duty_cadre_cannot_write_an_inspection(self, cadre):
        response = logged_in(cadre).post(
            reverse("wagtailsnippets_duty_inspection:add"),
            {"period_start": "2026-01-01", "period_end": "2026-01-31", "findings": "自查"},
        )

        assert_refused_in_admin(response)
        assert not Inspection.objects.exists()


@pytest.mark.django_db
class TestTheCadreAcknowledges:
    @pytest.fixture
    def submitted(self, draft, supervisor):
        InspectionRatingFactory(inspection=draft, rating=Rating.ADEQUATE)
        return perform(draft, "submit", supervisor)

    def test_a_duty_cadre_acknowledges(self, submitted, cadre):
        perform(submitted, "acknowledge", cadre, reason="已知悉，补全办理结果")

        submitted.refresh_from_db()
        assert submitted.state == InspectionState.ACKNOWLEDGED
        assert submitted.acknowledged_at is not None
        latest = submitted.history.latest()
        assert (latest.state, latest.history_user_id) == (InspectionState.ACKNOWLEDGED, cadre.pk)

    def test_acknowledges_through_the_admin(self, submitted, cadre):
        response = logged_in(cadre).post(step_url(submitted, "acknowledge"), {"reason": ""})

        assert response.status_code == 302
        assert Inspection.objects.get(pk=submitted.pk).state == InspectionState.ACKNOWLEDGED

    @pytest.mark.parametrize(
        "group", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_nobody_else_acknowledges(self, submitted, make_user, group):
        user = make_user(group)

        with pytest.raises(PermissionDenied):
            perform(submitted, "acknowledge", user)
        assert_refused_in_admin(logged_in(user).post(step_url(submitted, "acknowledge")))
        assert Inspection.objects.get(pk=submitted.pk).state == InspectionState.SUBMITTED

    def test_a_draft_cannot_be_acknowledged(self, draft, cadre):
        with pytest.raises(TransitionRefused):
            perform(draft, "acknowledge", cadre)
        assert Inspection.objects.get(pk=draft.pk).state == InspectionState.DRAFT

    def test_an_acknowledged_inspection_takes_no_more_steps(self, submitted, cadre, supervisor):
        perform(submitted, "acknowledge", cadre)

        with pytest.raises(TransitionRefused):
            perform(submitted, "acknowledge", cadre)
        with pytest.raises(TransitionRefused):
            perform(submitted, "submit", supervisor)
        assert Inspection.objects.get(pk=submitted.pk).state == InspectionState.ACKNOWLEDGED
