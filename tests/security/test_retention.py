"""Residents' personal data is kept no longer than the forms say: ``purge_personal_data``
erases an opinion's contact and a request's name, phone and place once their retention period
is over, from the record and from every history row of it, and the audit chain still verifies
afterwards while an alteration made behind the site is still found."""

import datetime
import io

import pytest

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from audit import erasure
from audit.models import Seal
from audit.registry import history_model
from core.transitions import perform
from duty.factories import DutyRecordFactory
from duty.models import DutyRecord
from opinions.factories import OpinionFactory
from opinions.models import Opinion
from tests.audit.support import append_only_lifted, entry_for, history_rows, run_verify
from tests.support import ui

from .conftest import ENGLISH, REQUEST_FORM

# What the old records hold: values nothing else in the database holds.
OLD_CONTACT = "13911112222"
OLD_NAME = "欧阳秀梅"
OLD_PHONE = "13933334444"
OLD_PLACE = "27号楼3单元"
NEW_CONTACT = "13955556666"
NEW_PHONE = "13977778888"
ERASED_VALUES = (OLD_CONTACT, OLD_NAME, OLD_PHONE, OLD_PLACE)
ANSWERED = {"answer": "已派物业电工上门。", "result": "楼道灯已修好。"}


def purge(*args):
    """``purge_personal_data`` with ``args``: (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("purge_personal_data", *args, stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        return exit_.code, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def records(clock, topic, superuser, cadre):
    """An opinion moderated and a request closed long ago (both edited since, so that each has
    several history rows), the same a month ago, and a request received long ago and still
    open."""
    now = clock.moment
    made = {}
    for age, contact, phone in ((400, OLD_CONTACT, OLD_PHONE), (30, NEW_CONTACT, NEW_PHONE)):
        clock.set(now - datetime.timedelta(days=age + 2))
        opinion = OpinionFactory(page=topic, contact=contact)
        opinion.body += "（补充）"
        opinion.save()
        record = DutyRecordFactory(
            resident_name=OLD_NAME if age == 400 else "司马新",
            resident_contact=phone,
            place=OLD_PLACE if age == 400 else "1号楼",
            **ANSWERED,
        )
        perform(record, "take_on", cadre)
        clock.set(now - datetime.timedelta(days=age))
        perform(opinion, "approve", superuser)
        perform(record, "resolve", cadre)
        made[age] = (opinion, record)
    clock.set(now - datetime.timedelta(days=500))
    made["open"] = DutyRecordFactory(resident_contact="13900000001", place="3号楼")
    clock.set(now)
    return made


def personal(instance):
    fields = erasure.personal_fields(type(instance))
    instance.refresh_from_db()
    return [getattr(instance, name) for name in fields], [
        [getattr(row, name) for name in fields] for row in history_rows(instance)
    ]


class TestPurge:
    def test_old_records_are_erased_from_the_row_and_every_history_row(self, records):
        (old_opinion, old_record), (new_opinion, new_record) = records[400], records[30]
        rows_before = history_rows(old_record).count()

        code, out, _err = purge()

        assert code == 0, out
        assert personal(old_opinion) == ([""], [[""]] * history_rows(old_opinion).count())
        live, history = personal(old_record)
        assert live == ["", "", ""]
        assert history == [["", "", ""]] * (rows_before + 1)
        # Newer ones and open ones keep everything, in the row and in history.
        assert personal(new_opinion)[0] == [NEW_CONTACT]
        assert all(row == [NEW_CONTACT] for row in personal(new_opinion)[1])
        assert personal(new_record)[0] == ["司马新", NEW_PHONE, "1号楼"]
        assert personal(records["open"])[0][1] == "13900000001"
        assert f"opinions.opinion #{old_opinion.pk}" in out
        assert f"duty.dutyrecord #{old_record.pk}" in out
        assert OLD_PHONE not in out and OLD_CONTACT not in out

    def test_each_erasure_is_a_history_row_by_nobody_and_a_chained_seal(self, records):
        old_opinion, old_record = records[400]
        purge()
        reason = ui(settings.LANGUAGE_CODE, "Personal data erased after the retention period.")
        for record in (old_opinion, old_record):
            erased = history_rows(record).last()
            assert erased.history_type == "~"
            assert erased.history_user_id is None
            assert erased.history_change_reason == reason
            assert entry_for(erased).reason == reason
        seals = Seal.objects.filter(label=erasure.ERASED)
        assert {seal.object_id for seal in seals} == {str(old_opinion.pk), str(old_record.pk)}
        # The seal names entries and digests, never a value.
        assert not any(value in str(seal.rows) for seal in seals for value in ERASED_VALUES)

    def test_a_second_run_finds_nothing_and_the_chain_still_verifies(self, records):
        purge()
        code, out, _err = purge()
        assert code == 0
        assert "0 record(s) erased" in out
        assert run_verify()[0] == 0

    def test_a_dry_run_changes_nothing(self, records):
        old_opinion, old_record = records[400]
        before = (personal(old_opinion), personal(old_record), Seal.objects.count())

        code, out, _err = purge("--dry-run")

        assert code == 0
        assert f"duty.dutyrecord #{old_record.pk}" in out and "nothing changed" in out
        assert (personal(old_opinion), personal(old_record), Seal.objects.count()) == before

    def test_the_chain_verifies_after_the_erasure(self, records):
        assert run_verify()[0] == 0
        purge()
        code, out, err = run_verify()
        assert code == 0, err
        assert "intact" in out

    def test_the_erased_values_are_nowhere_in_the_database(self, records):
        assert found_anywhere(OLD_PHONE)  # the search itself finds them before
        purge()
        leaks = {value: found_anywhere(value) for value in ERASED_VALUES}
        assert leaks == dict.fromkeys(ERASED_VALUES, [])
        assert found_anywhere(NEW_PHONE)

    def test_a_record_deleted_long_ago_is_erased_from_its_history(self, records, clock):
        _old_opinion, old_record = records[400]
        pk = old_record.pk
        clock.set(clock.moment - datetime.timedelta(days=370))
        old_record.delete()
        clock.set(clock.moment + datetime.timedelta(days=370))

        code, out, _err = purge()

        assert code == 0
        assert (
            f"duty.dutyrecord #{pk}: resident_name, resident_contact, place in (record deleted)"
            in out
        )
        rows = history_model(DutyRecord)._base_manager.filter(id=pk)
        assert set(rows.values_list("resident_contact", flat=True)) == {""}
        assert run_verify()[0] == 0


def found_anywhere(value):
    """Every (table, column) of the database whose stored text holds ``value``."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE CAST({connection.ops.quote_name(column)} AS TEXT) LIKE %s",
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column))
    return found


class TestTamperingIsStillFound:
    """After an erasure, the chain accepts exactly what the erasure did and nothing else."""

    def alter(self, row, **values):
        table = type(row)._meta.db_table
        assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(table)} SET {assignments} "  # noqa: S608
                "WHERE history_id = %s",
                [*values.values(), row.pk],
            )
        return entry_for(row)

    def test_a_personal_field_of_an_erased_row_written_again(self, records):
        purge()
        row = history_rows(records[400][1]).first()
        entry = self.alter(row, resident_contact=OLD_PHONE)
        code, _out, err = run_verify()
        assert code == 1
        assert f"entry {entry.pk}: the entry or its history row" in err

    def test_another_field_of_an_erased_row(self, records):
        purge()
        row = history_rows(records[400][1]).first()
        entry = self.alter(row, request="改过的请求")
        code, _out, err = run_verify()
        assert code == 1
        assert f"entry {entry.pk}:" in err

    def test_a_personal_field_emptied_by_hand_without_the_command(self, records):
        purge()
        row = history_rows(records[30][0]).first()
        entry = self.alter(row, contact="")
        code, _out, err = run_verify()
        assert code == 1
        assert f"entry {entry.pk}:" in err

    def test_an_erasure_seal_altered(self, records):
        purge()
        seal = Seal.objects.filter(label=erasure.ERASED).first()
        with append_only_lifted(Seal._meta.db_table) as cursor:
            cursor.execute("UPDATE audit_seal SET digest = %s WHERE id = %s", ["0" * 64, seal.pk])
        assert run_verify()[0] == 1

    def test_a_record_altered_before_the_purge_is_left_as_found(self, records):
        old_opinion, old_record = records[400]
        row = history_rows(old_record).first()
        self.alter(row, resident_contact="13800000000")

        code, out, err = purge()

        assert code == 1
        assert f"left as found: duty.dutyrecord #{old_record.pk}" in err
        # The other record is erased; the altered one keeps what it holds, and is still named.
        assert personal(old_opinion)[0] == [""]
        assert personal(old_record)[0][1] == OLD_PHONE
        code, _out, err = run_verify()
        assert code == 1
        assert f"entry {entry_for(row).pk}: the entry or its history row" in err


class TestTheFormsSay:
    @override_settings(
        PERSONAL_DATA_RETENTION_DAYS={"opinions.opinion": 90, "duty.dutyrecord": 400}
    )
    def test_what_the_data_is_for_and_how_long_it_is_kept(self, client, topic):
        request_form = client.get(REQUEST_FORM, **ENGLISH).content.decode()
        assert "We use your name, phone number and place only to answer this request" in (
            request_form
        )
        assert "erased 400 days after the request is closed" in request_form
        opinion_form = client.get(topic.url, **ENGLISH).content.decode()
        assert "We use your contact only to reach you about this opinion" in opinion_form
        assert "erased 3 months after the opinion is moderated" in opinion_form

    def test_the_notice_follows_the_settings(self, client, topic):
        days = settings.PERSONAL_DATA_RETENTION_DAYS["duty.dutyrecord"]
        page = client.get(REQUEST_FORM, **ENGLISH).content.decode()
        assert f"erased {erasure.period(days)} after" in page
        with override_settings(
            PERSONAL_DATA_RETENTION_DAYS={"opinions.opinion": 1, "duty.dutyrecord": 45}
        ):
            assert "erased 45 days after" in client.get(REQUEST_FORM, **ENGLISH).content.decode()
            assert "erased 1 day after" in client.get(topic.url, **ENGLISH).content.decode()


@pytest.mark.postgresql
class TestOnPostgreSQL:
    """History tables refuse UPDATE; the erasure may only empty the personal columns."""

    def test_the_trigger_lets_only_an_emptying_of_personal_columns_through(self, records):
        from audit.database import erasing

        History = history_model(Opinion)
        row = history_rows(records[30][0]).first()
        with transaction.atomic(), erasing(History):
            History._base_manager.filter(pk=row.pk).update(contact="")
        for change in ({"body": "改"}, {"contact": "13800000000"}):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                erasing(History),
            ):
                History._base_manager.filter(pk=row.pk).update(**change)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            History._base_manager.filter(pk=row.pk).update(contact="")
