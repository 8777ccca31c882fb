"""Inspections of the record book: a Supervisor samples records of the period, writes
findings and ratings and submits (the sampled records become inspected, each in its
history); a cadre the inspection rates acknowledges. Nobody else takes these steps, and
once submitted nobody rewrites the inspection, its sampled records or its ratings."""

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core import roles
from core.transitions import TransitionRefused, perform
from duty.factories import InspectionFactory, InspectionRatingFactory
from duty.models import DutyRecord, DutyRecordState, Inspection, InspectionState, Rating
from tests.support import logged_in, ui

from .conftest import assert_refused_in_admin, text


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
    def submitted(self, draft, supervisor, cadre):
        # The cadre acknowledging is one the inspection rates (issue 11: only they may).
        InspectionRatingFactory(inspection=draft, cadre=cadre.person, rating=Rating.ADEQUATE)
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
        # Rated, so that it is the state that refuses (issue 11: only a rated cadre may).
        InspectionRatingFactory(inspection=draft, cadre=cadre.person)
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


def admin_url(instance, view="edit"):
    return reverse(f"wagtailsnippets_duty_{instance._meta.model_name}:{view}", args=[instance.pk])


def inspection_form(inspection, **changes):
    return {
        "period_start": inspection.period_start.isoformat(),
        "period_end": inspection.period_end.isoformat(),
        "sampled": [record.pk for record in inspection.sampled.all()],
        "findings": inspection.findings,
        **changes,
    }


@pytest.mark.django_db
class TestOnlyARatedCadreAcknowledges:
    @pytest.fixture
    def submitted(self, draft, supervisor, cadre):
        InspectionRatingFactory(inspection=draft, cadre=cadre.person, rating=Rating.GOOD)
        return perform(draft, "submit", supervisor)

    def test_a_duty_cadre_not_rated_cannot_acknowledge(self, submitted, other_cadre):
        with pytest.raises(PermissionDenied):
            perform(submitted, "acknowledge", other_cadre)
        assert_refused_in_admin(logged_in(other_cadre).post(step_url(submitted, "acknowledge")))
        assert Inspection.objects.get(pk=submitted.pk).state == InspectionState.SUBMITTED

    def test_the_rated_cadre_acknowledges(self, submitted, cadre):
        perform(submitted, "acknowledge", cadre)
        assert Inspection.objects.get(pk=submitted.pk).state == InspectionState.ACKNOWLEDGED


@pytest.mark.django_db
class TestASubmittedInspectionIsFixed:
    @pytest.fixture
    def submitted(self, draft, supervisor, cadre):
        InspectionRatingFactory(inspection=draft, cadre=cadre.person, rating=Rating.ADEQUATE)
        return perform(draft, "submit", supervisor)

    @pytest.fixture
    def acknowledged(self, submitted, cadre):
        return perform(submitted, "acknowledge", cadre)

    def test_the_edit_form_refuses_a_submitted_inspection(self, submitted, supervisor):
        client = logged_in(supervisor)

        assert client.get(admin_url(submitted)).status_code == 302
        response = client.post(admin_url(submitted), inspection_form(submitted, findings="改写"))

        assert response.status_code == 302
        assert response["Location"] == admin_url(submitted, "inspect")
        assert Inspection.objects.get(pk=submitted.pk).findings == "记录完整，答复及时。"

    def test_another_supervisor_cannot_rewrite_an_acknowledged_one(
        self, acknowledged, make_user, sampled
    ):
        other = make_user(roles.SUPERVISORS, username="supervisor2")
        client = logged_in(other)
        rating = acknowledged.ratings.get()

        client.post(
            admin_url(acknowledged),
            inspection_form(acknowledged, findings="改写", sampled=[sampled[0].pk]),
        )
        client.post(
            admin_url(rating),
            {"inspection": acknowledged.pk, "cadre": rating.cadre_id, "rating": Rating.GOOD},
        )

        acknowledged = Inspection.objects.get(pk=acknowledged.pk)
        assert acknowledged.findings == "记录完整，答复及时。"
        assert set(acknowledged.sampled.all()) == set(sampled)
        assert acknowledged.ratings.get().rating == Rating.ADEQUATE

    def test_nobody_rewrites_it_in_code_either(self, acknowledged, sampled, make_record):
        from duty.models import InspectionLocked, InspectionRating

        inspection = Inspection.objects.get(pk=acknowledged.pk)
        inspection.findings = "改写"
        with pytest.raises(InspectionLocked):
            inspection.save()
        # The related managers write in the caller's transaction: a savepoint each, so that
        # the test may go on asking after a refusal.
        with pytest.raises(InspectionLocked), transaction.atomic():
            inspection.sampled.remove(sampled[0])
        with pytest.raises(InspectionLocked), transaction.atomic():
            inspection.sampled.add(make_record())
        with pytest.raises(InspectionLocked), transaction.atomic():
            sampled[1].inspections.clear()
        rating = inspection.ratings.get()
        rating.rating = Rating.GOOD
        with pytest.raises(InspectionLocked):
            rating.save()
        with pytest.raises(InspectionLocked):
            rating.delete()
        with pytest.raises(InspectionLocked):
            InspectionRatingFactory(inspection=inspection)

        inspection = Inspection.objects.get(pk=acknowledged.pk)
        assert inspection.findings == "记录完整，答复及时。"
        assert set(inspection.sampled.all()) == set(sampled)
        assert list(InspectionRating.objects.values_list("rating", flat=True)) == [Rating.ADEQUATE]

    def test_a_restore_from_history_brings_a_deleted_one_back_whole(self, submitted, sampled):
        from audit.history import restore_from_history

        pk = submitted.pk
        Inspection.objects.get(pk=pk).delete()
        deleted = Inspection.history.filter(id=pk).order_by("history_id").last()
        assert deleted.history_type == "-"

        restored = restore_from_history(deleted, "误删恢复")

        assert restored.state == InspectionState.SUBMITTED
        assert set(restored.sampled.all()) == set(sampled)
        assert restored.ratings.get().rating == Rating.ADEQUATE

    def test_no_rating_is_added_to_a_submitted_inspection_in_the_admin(
        self, submitted, supervisor, other_cadre
    ):
        response = logged_in(supervisor).post(
            reverse("wagtailsnippets_duty_inspectionrating:add"),
            {"inspection": submitted.pk, "cadre": other_cadre.person.pk, "rating": Rating.POOR},
        )

        assert response.status_code == 200
        assert submitted.ratings.count() == 1


@pytest.mark.django_db
class TestSampledRecordsFallInThePeriod:
    @pytest.fixture
    def records(self, make_record, clock):
        inside = make_record(
            DutyRecordState.RESOLVED, received_at=clock.moment - datetime.timedelta(days=3)
        )
        outside = make_record(
            DutyRecordState.RESOLVED, received_at=clock.moment - datetime.timedelta(days=60)
        )
        return inside, outside

    def period(self):
        today = timezone.localdate()
        return {
            "period_start": (today - datetime.timedelta(days=10)).isoformat(),
            "period_end": today.isoformat(),
        }

    def test_a_record_outside_the_period_is_refused_with_a_clear_message(self, records, supervisor):
        inside, outside = records
        response = logged_in(supervisor).post(
            reverse("wagtailsnippets_duty_inspection:add"),
            {**self.period(), "sampled": [inside.pk, outside.pk], "findings": "抽查"},
            headers={"accept-language": "en"},
        )

        assert response.status_code == 200
        message = ui(
            "en",
            "Records sampled must have been received within the inspection's period "
            "(%(start)s to %(end)s); these were not: %(references)s.",
            start=self.period()["period_start"],
            end=self.period()["period_end"],
            references=outside.reference,
        )
        assert message in text(response)
        assert not Inspection.objects.exists()

    def test_records_inside_the_period_are_kept(self, records, supervisor):
        inside, _outside = records
        response = logged_in(supervisor).post(
            reverse("wagtailsnippets_duty_inspection:add"),
            {**self.period(), "sampled": [inside.pk], "findings": "抽查"},
        )

        assert response.status_code == 302
        assert list(Inspection.objects.get().sampled.all()) == [inside]

    def test_the_form_offers_only_the_periods_records(self, records, supervisor):
        inside, outside = records
        inspection = InspectionFactory(
            period_start=timezone.localdate() - datetime.timedelta(days=10)
        )

        html = logged_in(supervisor).get(admin_url(inspection)).content.decode()

        assert inside.reference in html
        assert outside.reference not in html
