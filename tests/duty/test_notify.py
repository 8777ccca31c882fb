"""A new online request emails the cadres on today's shift of the published roster (the
office's address when nobody is on shift), through django-tasks; the email names the
reference, the category and the record's admin address, never the resident's phone; and a
failed email never costs the resident their confirmation."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks.base import Task

from django.core import mail

from core.transitions import perform
from duty import notify
from duty.factories import DutyShiftFactory, RosterFactory
from duty.models import DutyRecord, RequestCategory, RosterState

from .test_request_form import FORM, NAME, PHONE, PLACE, REQUEST, request_data, status_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
# An evening in the middle of a month: today and tomorrow are in the same roster.
EVENING = datetime.datetime(2026, 12, 9, 21, 0, tzinfo=SHANGHAI)
TODAY = EVENING.date()
TOMORROW = TODAY + datetime.timedelta(days=1)
OFFICE = "office@community.example"


@pytest.fixture(autouse=True)
def _evening(clock, settings):
    clock.set(EVENING)
    settings.DUTY_OFFICE_EMAIL = OFFICE


@pytest.fixture
def rota(make_cadre):
    """Two cadres with accounts: one on today's shift, one on tomorrow's."""
    today_user, today = make_cadre("周卫东", username="cadre-today")
    tomorrow_user, tomorrow = make_cadre("林晓梅", username="cadre-tomorrow")
    roster = RosterFactory(month=TODAY.replace(day=1))
    DutyShiftFactory(roster=roster, person=today, date=TODAY)
    DutyShiftFactory(roster=roster, person=tomorrow, date=TOMORROW)
    return roster, today_user, tomorrow_user


def publish(roster, user):
    perform(roster, "publish", user)
    assert roster.state == RosterState.PUBLISHED


def file(client):
    response = client.post(FORM, request_data(category=RequestCategory.SECURITY))
    record = DutyRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == status_url(record) + "?filed=1"
    return record


@pytest.mark.django_db
class TestWhoHearsOfANewRequest:
    def test_the_cadre_on_todays_shift_and_nobody_else(self, client, rota):
        roster, today_user, tomorrow_user = rota
        publish(roster, today_user)

        record = file(client)

        (email,) = mail.outbox
        assert email.to == [today_user.email]
        assert tomorrow_user.email not in email.to
        assert OFFICE not in email.to
        assert record.reference in email.subject

    def test_every_cadre_on_todays_shifts(self, client, rota, make_cadre):
        roster, today_user, _tomorrow_user = rota
        second_user, second = make_cadre("王建国", username="cadre-today-2")
        DutyShiftFactory(roster=roster, person=second, date=TODAY)
        publish(roster, today_user)

        file(client)

        (email,) = mail.outbox
        assert sorted(email.to) == sorted([today_user.email, second_user.email])

    def test_nobody_on_shift_today_sends_it_to_the_office(self, client, make_cadre):
        tomorrow_user, tomorrow = make_cadre("林晓梅", username="cadre-tomorrow")
        roster = RosterFactory(month=TODAY.replace(day=1))
        DutyShiftFactory(roster=roster, person=tomorrow, date=TOMORROW)
        publish(roster, tomorrow_user)

        file(client)

        (email,) = mail.outbox
        assert email.to == [OFFICE]

    def test_a_draft_roster_does_not_count(self, client, rota):
        file(client)

        (email,) = mail.outbox
        assert email.to == [OFFICE]

    def test_a_cadre_on_shift_without_an_email_leaves_it_to_the_office(self, client, rota):
        roster, today_user, _tomorrow_user = rota
        publish(roster, today_user)
        today_user.email = ""
        today_user.save()

        file(client)

        (email,) = mail.outbox
        assert email.to == [OFFICE]

    def test_without_an_office_address_nobody_is_emailed(self, client, settings):
        settings.DUTY_OFFICE_EMAIL = ""

        file(client)

        assert mail.outbox == []

    def test_a_request_kept_by_a_cadre_in_the_admin_sends_nothing(self, make_record, rota):
        roster, today_user, _tomorrow_user = rota
        publish(roster, today_user)

        make_record()

        assert mail.outbox == []


@pytest.mark.django_db
class TestTheEmail:
    def test_names_the_reference_the_category_and_the_admin_record_not_the_resident(
        self, client, rota
    ):
        roster, today_user, _tomorrow_user = rota
        publish(roster, today_user)

        record = file(client)

        (email,) = mail.outbox
        assert record.reference in email.body
        assert str(record.get_category_display()) in email.body
        assert f"/admin/snippets/duty/dutyrecord/edit/{record.pk}/" in email.body
        for personal in (PHONE, NAME, PLACE, REQUEST):
            assert personal not in email.body
            assert personal not in email.subject

    def test_goes_through_django_tasks(self, client, rota, monkeypatch):
        roster, today_user, _tomorrow_user = rota
        publish(roster, today_user)
        task = notify.notify_new_request
        enqueued = []

        class Spy:
            def enqueue(self, *args):
                enqueued.append(args)
                return task.enqueue(*args)

        monkeypatch.setattr(notify, "notify_new_request", Spy())

        record = file(client)

        assert isinstance(task, Task)
        assert enqueued == [(record.pk,)]
        assert len(mail.outbox) == 1


@pytest.mark.django_db
class TestAFailedEmail:
    def test_a_mail_server_that_is_down_still_confirms_the_request(self, client, rota, monkeypatch):
        roster, today_user, _tomorrow_user = rota
        publish(roster, today_user)

        def down(*args, **kwargs):
            raise ConnectionRefusedError("the mail server is down")

        monkeypatch.setattr(notify, "send_mail", down)

        record = file(client)

        assert record.request == REQUEST
        assert mail.outbox == []
        assert client.get(status_url(record)).status_code == 200

    def test_a_queue_that_is_down_still_confirms_the_request(self, client, rota, monkeypatch):
        class Down:
            def enqueue(self, *args):
                raise ConnectionRefusedError("the task queue is down")

        monkeypatch.setattr(notify, "notify_new_request", Down())

        record = file(client)

        assert record.request == REQUEST
        assert mail.outbox == []


@pytest.mark.parametrize("module", ["cms.settings.dev", "cms.settings.test"])
def test_development_and_tests_run_tasks_immediately(module):
    from importlib import import_module

    tasks = import_module(module).TASKS
    assert tasks == {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
