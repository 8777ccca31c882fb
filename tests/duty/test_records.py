"""The duty record book: received → in progress → resolved / referred, each step a named
transition that only Duty cadres may make, with its conditions (an answer, a result);
response targets per category and overdue flags; and the cadres' listing in the admin,
new requests first, overdue ones flagged."""

import datetime
import re

import pytest
from bs4 import BeautifulSoup

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core import roles
from core.transitions import TransitionRefused, perform
from duty.factories import DutyRecordFactory
from duty.models import DutyRecord, DutyRecordState, RequestCategory
from tests.support import logged_in, ui

from .conftest import ANSWERED, ENGLISH, assert_refused_in_admin, text

RECORD_BOOK = "/admin/snippets/duty/dutyrecord/"


def step_url(record, name):
    return reverse("wagtailsnippets_duty_dutyrecord:transition", args=[record.pk, name])


def fresh(record):
    return DutyRecord.objects.get(pk=record.pk)


@pytest.mark.django_db
class TestTheCadresSteps:
    def test_taking_on_a_request_makes_the_cadre_its_handler(self, make_record, cadre):
        record = make_record()

        perform(record, "take_on", cadre, reason="我来处理")

        record = fresh(record)
        assert record.state == DutyRecordState.IN_PROGRESS
        assert record.handled_by == cadre.person
        assert record.answered_at is None
        assert record.closed_at is None
        latest = record.history.latest()
        assert (latest.state, latest.history_user_id) == (DutyRecordState.IN_PROGRESS, cadre.pk)
        entry = AuditEntry.objects.get(
            content_type__model="dutyrecord", object_id=str(record.pk), detail="take_on"
        )
        assert (entry.action, entry.username, entry.reason) == ("transition", "cadre", "我来处理")

    def test_resolving_needs_the_answer_and_the_result(self, make_record, cadre):
        record = make_record(DutyRecordState.IN_PROGRESS)
        for answer, result in [
            ("", ""),
            ("已派人维修。", ""),
            ("", "已修好。"),
            ("  ", "已修好。"),
        ]:
            record.answer, record.result = answer, result
            with pytest.raises(TransitionRefused):
                perform(record, "resolve", cadre)
            assert fresh(record).state == DutyRecordState.IN_PROGRESS

        record.answer, record.result = ANSWERED["answer"], ANSWERED["result"]
        perform(record, "resolve", cadre)

        record = fresh(record)
        assert record.state == DutyRecordState.RESOLVED
        assert record.answered_at is not None
        assert record.closed_at is not None

    def test_referring_needs_the_answer(self, make_record, cadre):
        record = make_record(DutyRecordState.IN_PROGRESS)

        with pytest.raises(TransitionRefused):
            perform(record, "refer", cadre)
        assert fresh(record).state == DutyRecordState.IN_PROGRESS

        record.answer = "属市政道路，已转交街道城管科。"
        perform(record, "refer", cadre)
        record = fresh(record)
        assert record.state == DutyRecordState.REFERRED
        assert record.result == ""
        assert record.closed_at is not None

    def test_a_request_can_be_resolved_at_once_and_the_resolver_handled_it(
        self, make_record, cadre
    ):
        record = make_record(**ANSWERED)

        perform(record, "resolve", cadre)

        record = fresh(record)
        assert record.state == DutyRecordState.RESOLVED
        assert record.handled_by == cadre.person

    def test_the_cadre_who_took_it_on_stays_its_handler(self, make_record, cadre, other_cadre):
        record = make_record(DutyRecordState.IN_PROGRESS, by=cadre, **ANSWERED)

        perform(record, "resolve", other_cadre)

        assert fresh(record).handled_by == cadre.person

    def test_a_user_outside_the_register_leaves_no_handler(self, make_user):
        """An administrator without a place in the register may act; no handler is invented."""
        admin = make_user(username="root", is_superuser=True, is_staff=True)
        record = DutyRecordFactory()

        perform(record, "take_on", admin)

        record = fresh(record)
        assert record.state == DutyRecordState.IN_PROGRESS
        assert record.handled_by is None

    @pytest.mark.parametrize("closed", [DutyRecordState.RESOLVED, DutyRecordState.REFERRED])
    def test_a_closed_record_takes_no_more_steps(self, make_record, cadre, closed):
        record = make_record(closed)
        closed_at = record.closed_at

        for name in ("take_on", "resolve", "refer"):
            with pytest.raises(TransitionRefused):
                perform(record, name, cadre)
        record = fresh(record)
        assert record.state == closed
        assert record.closed_at == closed_at

    def test_an_answer_time_is_kept_when_written_before_closing(self, make_record, cadre, clock):
        record = make_record(DutyRecordState.IN_PROGRESS, **ANSWERED)
        written = clock.moment
        clock.advance(hours=5)

        perform(record, "resolve", cadre)

        # Answering is timed from the answer written, not from the closing (issue 11).
        record = fresh(record)
        assert record.answered_at == written
        assert record.closed_at == clock.moment


@pytest.mark.django_db
class TestWhoMayMakeThem:
    @pytest.mark.parametrize(
        "group", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    @pytest.mark.parametrize("name", ["take_on", "resolve", "refer"])
    def test_only_duty_cadres(self, make_user, make_record, group, name):
        user = make_user(group)
        record = make_record(**ANSWERED)

        with pytest.raises(PermissionDenied):
            perform(record, name, user)
        assert_refused_in_admin(logged_in(user).post(step_url(record, name)))

        record = fresh(record)
        assert record.state == DutyRecordState.RECEIVED
        assert record.handled_by is None

    def test_a_resident_without_an_account_is_sent_to_log_in(self, client, make_record):
        record = make_record(**ANSWERED)

        response = client.post(step_url(record, "resolve"))

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert fresh(record).state == DutyRecordState.RECEIVED

    def test_a_duty_cadre_makes_them_through_the_admin(self, make_record, cadre):
        record = make_record()
        client = logged_in(cadre)

        confirm = client.get(step_url(record, "take_on"))
        assert confirm.status_code == 200
        assert client.post(step_url(record, "take_on"), {"reason": "值班接单"}).status_code == 302
        assert fresh(record).state == DutyRecordState.IN_PROGRESS

    def test_the_admin_says_what_is_missing_to_resolve(self, make_record, cadre):
        record = make_record(DutyRecordState.IN_PROGRESS, answer="已派人维修。")

        response = logged_in(cadre).post(step_url(record, "resolve"), headers=ENGLISH, follow=True)

        assert response.redirect_chain[-1][0] == RECORD_BOOK
        assert ui("en", "Write the answer to the resident and the result first.") in text(response)
        assert fresh(record).state == DutyRecordState.IN_PROGRESS

    def test_the_admin_says_what_is_missing_to_refer(self, make_record, cadre):
        record = make_record()

        response = logged_in(cadre).post(step_url(record, "refer"), headers=ENGLISH, follow=True)

        assert ui(
            "en", "Write the answer to the resident first (where the request was referred)."
        ) in text(response)
        assert fresh(record).state == DutyRecordState.RECEIVED

    def test_the_admin_says_when_the_state_does_not_allow_a_step(self, make_record, cadre):
        record = make_record(DutyRecordState.RESOLVED)

        response = logged_in(cadre).post(step_url(record, "take_on"), headers=ENGLISH, follow=True)

        expected = ui(
            "en",
            "“%(object)s” is %(state)s now: that step is not possible.",
            object=str(record),
            state=ui("en", "resolved"),
        )
        assert expected in text(response)
        assert fresh(record).state == DutyRecordState.RESOLVED

    def test_an_unknown_step_is_refused(self, make_record, cadre):
        record = make_record()
        client = logged_in(cadre)

        # One rule for every module's transition view: a name that is not one of the model's
        # labelled transitions is refused like a step the roles do not allow.
        assert_refused_in_admin(client.get(step_url(record, "delete")))
        assert_refused_in_admin(client.post(step_url(record, "save")))
        assert fresh(record).state == DutyRecordState.RECEIVED


@pytest.mark.django_db
class TestResponseTargets:
    @pytest.mark.parametrize("category", RequestCategory.values)
    def test_each_category_is_due_within_its_hours(self, category, clock):
        record = DutyRecordFactory(category=category, received_at=clock.moment)

        hours = settings.DUTY_RESPONSE_HOURS[category]
        assert record.due_at == clock.moment + datetime.timedelta(hours=hours)

    def test_the_targets_come_from_the_settings(self, settings, clock):
        settings.DUTY_RESPONSE_HOURS = {**settings.DUTY_RESPONSE_HOURS, "security": 1}

        record = DutyRecordFactory(category=RequestCategory.SECURITY, received_at=clock.moment)

        assert record.due_at == clock.moment + datetime.timedelta(hours=1)

    @pytest.mark.parametrize(
        ("category", "hours"),
        [(RequestCategory.SECURITY, 2), (RequestCategory.REPAIR, 24), (RequestCategory.OTHER, 72)],
    )
    def test_an_open_request_is_overdue_once_its_hours_have_passed(
        self, make_record, category, hours, clock
    ):
        received = make_record(category=category, received_at=clock.moment)
        in_progress = make_record(
            DutyRecordState.IN_PROGRESS, category=category, received_at=clock.moment
        )

        clock.advance(hours=hours, minutes=-1)
        assert not fresh(received).is_overdue
        assert not DutyRecord.objects.overdue().exists()

        clock.advance(minutes=2)
        assert fresh(received).is_overdue
        assert fresh(in_progress).is_overdue
        assert set(DutyRecord.objects.overdue()) == {received, in_progress}

    def test_a_security_request_is_overdue_before_a_repair_received_with_it(self, clock):
        security = DutyRecordFactory(category=RequestCategory.SECURITY, received_at=clock.moment)
        repair = DutyRecordFactory(category=RequestCategory.REPAIR, received_at=clock.moment)

        clock.advance(hours=3)

        assert fresh(security).is_overdue
        assert not fresh(repair).is_overdue

    @pytest.mark.parametrize("closed", [DutyRecordState.RESOLVED, DutyRecordState.REFERRED])
    def test_a_closed_request_is_never_overdue(self, make_record, clock, closed):
        record = make_record(
            closed,
            category=RequestCategory.SECURITY,
            received_at=clock.moment - datetime.timedelta(hours=10),
        )

        assert record.due_at < clock.moment
        assert not fresh(record).is_overdue
        assert not DutyRecord.objects.overdue().exists()


# A reference as issued now (K7WP-3MXR-Q2TD), or an 11-character one issued before.
REFERENCE = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){2}|[A-Za-z0-9]{11}")


def listing_rows(response):
    """(reference, state, overdue tag) of each row of the record book, in order."""
    rows = []
    for row in BeautifulSoup(response.content.decode(), "html.parser").select("table tbody tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        reference = next(
            cell.split()[0] for cell in cells if cell and REFERENCE.fullmatch(cell.split()[0])
        )
        rows.append((reference, " | ".join(cells)))
    return rows


@pytest.mark.django_db
class TestTheRecordBookInTheAdmin:
    def test_new_requests_come_first_then_the_rest_newest_first(self, make_record, cadre, clock):
        def received(hours_ago, state=DutyRecordState.RECEIVED):
            return make_record(
                state, received_at=clock.moment - datetime.timedelta(hours=hours_ago)
            )

        old_new = received(30)
        newer_new = received(5)
        in_progress = received(1, DutyRecordState.IN_PROGRESS)
        resolved = received(0.5, DutyRecordState.RESOLVED)
        referred = received(40, DutyRecordState.REFERRED)

        response = logged_in(cadre).get(RECORD_BOOK)

        assert response.status_code == 200
        order = [reference for reference, _cells in listing_rows(response)]
        assert order == [
            newer_new.reference,
            old_new.reference,
            resolved.reference,
            in_progress.reference,
            referred.reference,
        ]

    def test_overdue_requests_are_flagged(self, make_record, cadre, clock):
        long_ago = clock.moment - datetime.timedelta(hours=5)
        overdue = make_record(category=RequestCategory.SECURITY, received_at=long_ago)
        overdue_in_progress = make_record(
            DutyRecordState.IN_PROGRESS, category=RequestCategory.SECURITY, received_at=long_ago
        )
        in_time = make_record(category=RequestCategory.REPAIR, received_at=long_ago)
        closed_late = make_record(
            DutyRecordState.RESOLVED, category=RequestCategory.SECURITY, received_at=long_ago
        )

        response = logged_in(cadre).get(RECORD_BOOK, headers=ENGLISH)

        # A status tag starts with a capital (core's status_tag_cell.html).
        flag = ui("en", "overdue").capitalize()
        rows = dict(listing_rows(response))
        assert flag in rows[overdue.reference].split(" | ")
        assert flag in rows[overdue_in_progress.reference].split(" | ")
        assert flag not in rows[in_time.reference].split(" | ")
        assert flag not in rows[closed_late.reference].split(" | ")

    def test_the_cadre_may_filter_new_requests(self, make_record, cadre):
        new = make_record()
        taken = make_record(DutyRecordState.IN_PROGRESS)

        response = logged_in(cadre).get(RECORD_BOOK, {"state": DutyRecordState.RECEIVED})

        references = [reference for reference, _cells in listing_rows(response)]
        assert references == [new.reference]
        assert taken.reference not in references

    def test_the_listing_offers_the_steps_the_state_allows(self, make_record, cadre):
        record = make_record()

        html = logged_in(cadre).get(RECORD_BOOK).content.decode()

        assert step_url(record, "take_on") in html
        # Offered before the answer is written too: the step then says what is missing.
        assert step_url(record, "resolve") in html
        assert step_url(record, "refer") in html

    def test_the_listing_costs_the_same_queries_for_more_records(
        self, make_record, cadre, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = logged_in(cadre)
        make_record(DutyRecordState.IN_PROGRESS)
        client.get(RECORD_BOOK)
        with CaptureQueriesContext(connection) as few:
            client.get(RECORD_BOOK)
        for state in [
            DutyRecordState.RECEIVED,
            DutyRecordState.IN_PROGRESS,
            DutyRecordState.RESOLVED,
        ] * 4:
            make_record(state)
        with CaptureQueriesContext(connection) as many:
            client.get(RECORD_BOOK)

        assert len(many) == len(few)

    def test_the_record_books_export_has_no_residents_name_or_phone(self, make_record, cadre):
        record = make_record(resident_name="李秀英", resident_contact="13712345678")

        response = logged_in(cadre).get(RECORD_BOOK, {"export": "csv"})

        assert response.status_code == 200
        exported = b"".join(response.streaming_content).decode("utf-8-sig")
        assert record.reference in exported
        assert "13712345678" not in exported
        assert "李秀英" not in exported

    def test_the_cadre_sees_the_residents_contact_in_the_record(self, make_record, cadre):
        record = make_record(resident_name="李秀英", resident_contact="13712345678")

        edit = reverse("wagtailsnippets_duty_dutyrecord:edit", args=[record.pk])
        html = logged_in(cadre).get(edit).content.decode()

        assert "13712345678" in html
        assert "李秀英" in html


@pytest.mark.django_db
class TestAwaiting:
    """The database keeps ``awaiting`` (the record book's first sort key) with the state."""

    def test_follows_the_state(self, make_record, cadre):
        record = make_record()
        assert fresh(record).awaiting is True

        perform(record, "take_on", cadre)
        assert fresh(record).awaiting is False
        assert set(DutyRecord.objects.values_list("awaiting", flat=True)) == {False}

    def test_is_kept_for_records_written_in_bulk(self, clock):
        DutyRecord.objects.bulk_create(
            [
                DutyRecord(
                    resident_name="王",
                    resident_contact="13700000000",
                    request="路灯",
                    state=state,
                    due_at=clock.moment,
                )
                for state in DutyRecordState.values
            ]
        )
        assert dict(DutyRecord.objects.values_list("state", "awaiting")) == {
            DutyRecordState.RECEIVED: True,
            DutyRecordState.IN_PROGRESS: False,
            DutyRecordState.RESOLVED: False,
            DutyRecordState.REFERRED: False,
        }

    def test_is_not_in_history(self, make_record, cadre):
        record = make_record(DutyRecordState.IN_PROGRESS)
        assert not hasattr(record.history.latest(), "awaiting")

    def test_the_record_can_be_inspected_in_the_admin(self, make_record, supervisor):
        record = make_record(resident_contact="13712345678")

        url = reverse("wagtailsnippets_duty_dutyrecord:inspect", args=[record.pk])
        response = logged_in(supervisor).get(url)

        assert response.status_code == 200
        assert "13712345678" in response.content.decode()


def edit_url(record, view="edit"):
    return reverse(f"wagtailsnippets_duty_dutyrecord:{view}", args=[record.pk])


def record_form(record, **changes):
    """The record's admin form as it stands, with ``changes``."""
    local = timezone.localtime(record.received_at)
    return {
        "received_at": local.strftime("%Y-%m-%d %H:%M"),
        "channel": record.channel,
        "category": record.category,
        "resident_name": record.resident_name,
        "resident_contact": record.resident_contact,
        "request": record.request,
        "shift": record.shift_id or "",
        "handled_by": record.handled_by_id or "",
        "undertaken": record.undertaken,
        "answer": record.answer,
        "result": record.result,
        "change_reason": "",
        **changes,
    }


@pytest.mark.django_db
class TestAnsweringIsTimedFromTheAnswer:
    def test_answered_at_is_stamped_when_the_answer_is_first_written(
        self, make_record, cadre, clock
    ):
        record = make_record(DutyRecordState.IN_PROGRESS)
        clock.advance(hours=2)
        written = clock.moment

        response = logged_in(cadre).post(edit_url(record), record_form(record, answer="已派电工。"))

        assert response.status_code == 302
        assert fresh(record).answered_at == written
        clock.advance(hours=8)
        record = fresh(record)
        record.answer, record.result = "已派电工，明早维修。", "已修好。"
        perform(record, "resolve", cadre)
        record = fresh(record)
        assert record.answered_at == written
        assert record.closed_at == clock.moment

    def test_the_median_hours_to_answer_measure_answering_not_closing(self, cadre, clock):
        from duty.report import assessment

        received = clock.moment
        record = DutyRecordFactory(received_at=received)
        perform(record, "take_on", cadre)
        clock.advance(hours=2)
        record.answer = "已联系物业。"
        record.save()
        clock.advance(hours=30)
        record.result = "已解决。"
        perform(record, "resolve", cadre)

        (figure,) = [
            f
            for f in assessment(timezone.localdate(received), timezone.localdate())
            if f.cadre == cadre.person
        ]
        assert figure.median_hours_to_answer == pytest.approx(2.0)


@pytest.mark.django_db
class TestTheTimeReceivedIsFixed:
    def test_the_edit_form_does_not_change_it(self, make_record, cadre, clock):
        record = make_record(received_at=clock.moment - datetime.timedelta(hours=3))
        received, due = record.received_at, record.due_at
        earlier = timezone.localtime(received - datetime.timedelta(days=2))

        response = logged_in(cadre).post(
            edit_url(record),
            record_form(
                record, received_at=earlier.strftime("%Y-%m-%d %H:%M"), undertaken="已查看"
            ),
        )

        assert response.status_code == 302
        record = fresh(record)
        assert (record.received_at, record.due_at) == (received, due)
        assert record.undertaken == "已查看"

    def test_a_correction_is_its_own_step_with_a_reason(self, make_record, cadre, clock):
        record = make_record(category=RequestCategory.REPAIR, received_at=clock.moment)
        corrected = timezone.localtime(clock.moment - datetime.timedelta(hours=5)).replace(
            second=0, microsecond=0
        )

        response = logged_in(cadre).post(
            step_url(record, "correct_received_at"),
            {"received_at": corrected.strftime("%Y-%m-%d %H:%M"), "reason": "电话记录时间有误"},
        )

        assert response.status_code == 302
        record = fresh(record)
        assert record.received_at == corrected
        assert record.due_at == corrected + datetime.timedelta(
            hours=settings.DUTY_RESPONSE_HOURS["repair"]
        )
        latest = record.history.latest()
        assert (latest.history_user_id, latest.history_change_reason) == (
            cadre.pk,
            "电话记录时间有误",
        )

    def test_a_correction_needs_its_reason(self, make_record, cadre, clock):
        record = make_record(received_at=clock.moment)

        response = logged_in(cadre).post(
            step_url(record, "correct_received_at"),
            {"received_at": "2020-01-01 08:00", "reason": ""},
        )

        assert response.status_code == 200
        assert fresh(record).received_at == clock.moment

    def test_the_step_asks_for_the_time_and_the_reason_and_keeps_the_state(
        self, make_record, cadre, clock
    ):
        record = make_record(DutyRecordState.IN_PROGRESS, received_at=clock.moment)
        client = logged_in(cadre)

        listing = client.get(RECORD_BOOK).content.decode()
        assert step_url(record, "correct_received_at") in listing
        page = BeautifulSoup(
            client.get(step_url(record, "correct_received_at"), headers=ENGLISH).content,
            "html.parser",
        )
        form = page.select_one("main form")
        assert [field["name"] for field in form.select("input[name=received_at], textarea")] == [
            "received_at",
            "reason",
        ]
        assert form.select_one("textarea[name=reason]").has_attr("required")

        corrected = timezone.localtime(clock.moment - datetime.timedelta(hours=2))
        client.post(
            step_url(record, "correct_received_at"),
            {"received_at": corrected.strftime("%Y-%m-%d %H:%M"), "reason": "补记时间"},
        )
        record = fresh(record)
        assert record.state == DutyRecordState.IN_PROGRESS
        entry = AuditEntry.objects.get(
            content_type__model="dutyrecord",
            object_id=str(record.pk),
            detail="correct_received_at",
        )
        assert (entry.action, entry.username, entry.reason) == ("transition", "cadre", "补记时间")

    def test_a_closed_records_time_is_not_corrected(self, make_record, cadre, clock):
        record = make_record(DutyRecordState.RESOLVED, received_at=clock.moment)
        client = logged_in(cadre)

        assert (
            step_url(record, "correct_received_at") not in client.get(RECORD_BOOK).content.decode()
        )
        response = client.post(
            step_url(record, "correct_received_at"),
            {"received_at": "2020-01-01 08:00", "reason": "改"},
            headers=ENGLISH,
            follow=True,
        )

        assert response.status_code == 200
        message = ui(
            "en",
            "“%(object)s” is %(state)s now: that step is not possible.",
            object=str(record),
            state=ui("en", "resolved"),
        )
        assert message in text(response)
        assert fresh(record).received_at == clock.moment

    @pytest.mark.parametrize("group", [roles.SUPERVISORS, roles.EDITORS, roles.MEETING_CLERKS])
    def test_nobody_else_corrects_it(self, make_record, make_user, clock, group):
        record = make_record(received_at=clock.moment)

        response = logged_in(make_user(group)).post(
            step_url(record, "correct_received_at"),
            {"received_at": "2020-01-01 08:00", "reason": "改"},
        )

        assert_refused_in_admin(response)
        assert fresh(record).received_at == clock.moment


@pytest.mark.django_db
class TestTheDueTimeFollowsTheCategory:
    def test_changing_the_category_in_the_admin_moves_the_due_time(self, make_record, cadre, clock):
        record = make_record(category=RequestCategory.OTHER, received_at=clock.moment)

        response = logged_in(cadre).post(
            edit_url(record), record_form(record, category=RequestCategory.SECURITY)
        )

        assert response.status_code == 302
        hours = settings.DUTY_RESPONSE_HOURS["security"]
        assert fresh(record).due_at == clock.moment + datetime.timedelta(hours=hours)

    def test_a_later_change_of_the_targets_does_not_move_a_recorded_promise(
        self, make_record, settings, clock
    ):
        record = make_record(category=RequestCategory.REPAIR, received_at=clock.moment)
        due = record.due_at
        settings.DUTY_RESPONSE_HOURS = {**settings.DUTY_RESPONSE_HOURS, "repair": 1}

        record = fresh(record)
        record.undertaken = "已查看"
        record.save()

        assert fresh(record).due_at == due


@pytest.mark.django_db
class TestClosedRecordsAreReadOnly:
    @pytest.mark.parametrize("closed", [DutyRecordState.RESOLVED, DutyRecordState.REFERRED])
    def test_the_edit_form_refuses_a_closed_record(self, make_record, cadre, closed):
        record = make_record(closed)
        client = logged_in(cadre)

        assert client.get(edit_url(record)).status_code == 302
        response = client.post(
            edit_url(record), record_form(record, answer="改写的答复", result="改写的结果")
        )

        assert response.status_code == 302
        assert response["Location"] == edit_url(record, "inspect")
        record = fresh(record)
        assert (record.answer, record.result) == (ANSWERED["answer"], ANSWERED.get("result", ""))
        assert record.state == closed

    def test_a_correction_reopens_the_record_with_a_reason(self, make_record, cadre):
        record = make_record(DutyRecordState.RESOLVED)
        answered_at = record.answered_at

        with pytest.raises(ValueError):
            perform(record, "reopen", cadre)
        assert fresh(record).state == DutyRecordState.RESOLVED
        response = logged_in(cadre).post(step_url(record, "reopen"), {"reason": ""})
        assert response.status_code == 200
        assert fresh(record).state == DutyRecordState.RESOLVED

        response = logged_in(cadre).post(step_url(record, "reopen"), {"reason": "居民反映未修好"})

        assert response.status_code == 302
        record = fresh(record)
        assert record.state == DutyRecordState.IN_PROGRESS
        assert record.closed_at is None
        assert record.answered_at == answered_at
        entry = AuditEntry.objects.get(
            content_type__model="dutyrecord", object_id=str(record.pk), detail="reopen"
        )
        assert (entry.username, entry.reason) == ("cadre", "居民反映未修好")
        # Open again, it is edited as before.
        response = logged_in(cadre).post(edit_url(record), record_form(record, result="已复修。"))
        assert response.status_code == 302
        assert fresh(record).result == "已复修。"

    @pytest.mark.parametrize(
        "group", [roles.SUPERVISORS, roles.EDITORS, roles.MODERATORS, roles.MEETING_CLERKS]
    )
    def test_nobody_else_reopens(self, make_record, make_user, group):
        record = make_record(DutyRecordState.RESOLVED)
        user = make_user(group)

        with pytest.raises(PermissionDenied):
            perform(record, "reopen", user, reason="改")
        assert_refused_in_admin(logged_in(user).post(step_url(record, "reopen"), {"reason": "改"}))
        assert fresh(record).state == DutyRecordState.RESOLVED
