"""Inspections of the record book: a Supervisor samples records of the period, writes
findings and ratings and submits (the sampled records become inspected, each in its
history); a cadre the inspection rates acknowledges. Nobody else takes these steps, and
once submitted nobody rewrites the inspection, its sampled records or its ratings."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup

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

from .conftest import ENGLISH, assert_refused_in_admin, text


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
            reason = ui("zh-hans", "Inspection #%(number)s", number=draft.pk)
            assert latest.history_change_reason == reason
            # The state the cadre left it in is untouched.
            assert latest.state == record.state
            assert AuditEntry.objects.filter(
                content_type__model="dutyrecord",
                object_id=str(record.pk),
                username="supervisor",
                reason=reason,
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

    def test_the_form_shows_the_chosen_records_and_the_chooser(self, records, supervisor):
        inside, outside = records
        inspection = InspectionFactory(
            period_start=timezone.localdate() - datetime.timedelta(days=10)
        )
        inspection.sampled.set([inside])

        html = logged_in(supervisor).get(admin_url(inspection)).content.decode()

        page = BeautifulSoup(html, "html.parser")
        chooser = page.select_one("[data-records-chooser]")
        assert chooser["data-chooser-url"] == reverse("duty_record_chooser:choose")
        assert json.loads(chooser["data-linked-fields"]) == {
            "period_start": "#id_period_start",
            "period_end": "#id_period_end",
        }
        boxes = chooser.select("input[type=checkbox][name=sampled]")
        assert [(box["value"], box.has_attr("checked")) for box in boxes] == [
            (str(inside.pk), True)
        ]
        assert outside.reference not in html

    def test_unticking_a_record_leaves_it_out(self, records, supervisor):
        inside, _outside = records
        inspection = InspectionFactory(
            period_start=timezone.localdate() - datetime.timedelta(days=10)
        )
        inspection.sampled.set([inside])

        response = logged_in(supervisor).post(
            admin_url(inspection), inspection_form(inspection, sampled=[])
        )

        assert response.status_code == 302
        assert not inspection.sampled.exists()


def chooser(client, view="choose", **params):
    response = client.get(reverse(f"duty_record_chooser:{view}"), params, headers=ENGLISH)
    assert response.status_code == 200, response.status_code
    if view == "choose":
        return json.loads(response.content)["html"]
    return response.content.decode()


@pytest.mark.django_db
class TestTheRecordChooser:
    """The chooser of the records sampled lists the record book within the period the
    inspection's form holds, searchable and paginated, for inspectors only."""

    @pytest.fixture
    def book(self, make_record, clock):
        # In the afternoon, local time: half a day ago is still today (run after midnight,
        # it would fall on yesterday, inside the period).
        clock.set(timezone.localtime().replace(hour=15, minute=0, second=0, microsecond=0))

        def received(days_ago, **fields):
            return make_record(
                DutyRecordState.RESOLVED,
                received_at=clock.moment - datetime.timedelta(days=days_ago),
                **fields,
            )

        return {
            "early": received(40),
            "inside": received(5, request="小区东门路灯不亮"),
            "also_inside": received(2, request="楼道堆放杂物"),
            "late": received(0.5, request="今天的记录"),
        }

    def period(self, clock, start_days_ago=10, end_days_ago=1):
        today = timezone.localdate(clock.moment)
        return {
            "period_start": (today - datetime.timedelta(days=start_days_ago)).isoformat(),
            "period_end": (today - datetime.timedelta(days=end_days_ago)).isoformat(),
        }

    def test_lists_only_the_records_of_the_period(self, book, supervisor, clock):
        html = chooser(logged_in(supervisor), multiple=1, **self.period(clock))

        assert book["inside"].reference in html
        assert book["also_inside"].reference in html
        assert book["early"].reference not in html
        assert book["late"].reference not in html
        # Several may be chosen at once.
        assert f'value="{book["inside"].pk}"' in html

    def test_the_search_and_the_pages_keep_the_period(self, book, supervisor, clock):
        client = logged_in(supervisor)

        found = chooser(client, "choose_results", q="路灯", **self.period(clock))
        assert book["inside"].reference in found
        assert book["also_inside"].reference not in found

        # The same words outside the period are not offered.
        found = chooser(client, "choose_results", q="今天", **self.period(clock))
        assert book["late"].reference not in found

    def test_is_paginated(self, make_record, supervisor, clock):
        for days_ago in range(1, 26):
            make_record(received_at=clock.moment - datetime.timedelta(days=days_ago, hours=1))
        client = logged_in(supervisor)
        period = self.period(clock, start_days_ago=30, end_days_ago=0)

        first = chooser(client, "choose_results", **period)
        second = chooser(client, "choose_results", p=2, **period)

        references = list(DutyRecord.objects.values_list("reference", flat=True))
        on_first = [reference for reference in references if reference in first]
        on_second = [reference for reference in references if reference in second]
        assert (len(on_first), len(on_second)) == (20, 5)
        assert not set(on_first) & set(on_second)

    def test_a_period_that_is_not_a_date_filters_nothing_and_fails_nothing(self, book, supervisor):
        html = chooser(logged_in(supervisor), period_start="not-a-date", period_end="2026-13-45")
        assert book["early"].reference in html

    @pytest.mark.parametrize(
        "group", [roles.DUTY_CADRES, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_is_forbidden_to_those_who_may_not_inspect(self, book, make_user, group, clock):
        client = logged_in(make_user(group))
        for view, params in [
            ("choose", self.period(clock)),
            ("choose_results", self.period(clock)),
            ("chosen_multiple", {"id": book["inside"].pk}),
        ]:
            response = client.get(reverse(f"duty_record_chooser:{view}"), params)
            assert_refused_in_admin(response)
        response = client.get(reverse("duty_record_chooser:chosen", args=[book["inside"].pk]))
        assert_refused_in_admin(response)

    def test_a_record_outside_the_period_posted_directly_is_refused(self, book, supervisor, clock):
        response = logged_in(supervisor).post(
            reverse("wagtailsnippets_duty_inspection:add"),
            {
                **self.period(clock),
                "sampled": [book["inside"].pk, book["early"].pk],
                "findings": "抽查",
            },
            headers=ENGLISH,
        )

        assert response.status_code == 200
        assert book["early"].reference in text(response)
        assert ui(
            "en",
            "Records sampled must have been received within the inspection's period "
            "(%(start)s to %(end)s); these were not: %(references)s.",
            start=self.period(clock)["period_start"],
            end=self.period(clock)["period_end"],
            references=book["early"].reference,
        ) in text(response)
        assert not Inspection.objects.exists()
