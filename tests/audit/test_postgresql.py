"""On PostgreSQL: history tables refuse UPDATE and DELETE, and the chain stays one chain when
many changes happen at once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count

from audit.chain import verify
from audit.database import append_only_tables
from audit.models import AuditEntry, ChainLock
from audit.registry import history_model, history_models
from people.factories import PersonFactory
from people.models import Person

from .support import entries_for, history_rows

# serialized_rollback: the data that migrations wrote (the site, its root page, the roles)
# is there again after these tests flush the database, for any test that runs later.
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HistoricalPerson = history_model(Person)
THREADS = 8
SAVES = 10


def refused():
    """The database refuses the statement; the transaction around it is rolled back."""
    return pytest.raises(DatabaseError, match="history is append-only")


def quote(name):
    return connection.ops.quote_name(name)


class TestAppendOnly:
    @pytest.fixture(autouse=True)
    def _history(self):
        self.person = PersonFactory(name="王建国", phone="13900000001")
        self.person.building = "5号楼"
        self.person.save()
        self.row = history_rows(self.person).last()
        self.entry = entries_for(self.person).last()

    def test_every_append_only_table_has_the_trigger(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'audit_append_only' AND tgenabled = 'O'"
            )
            tables = {name.strip('"') for (name,) in cursor.fetchall()}
        assert {"audit_auditentry", "people_historicalperson"} <= tables
        assert set(append_only_tables()) <= tables

    def test_an_orm_update_of_a_history_row_is_refused(self):
        with refused(), transaction.atomic():
            HistoricalPerson.objects.filter(pk=self.row.pk).update(phone="13800000000")
        self.row.refresh_from_db()
        assert self.row.phone == "13900000001"

    def test_an_orm_delete_of_a_history_row_is_refused(self):
        with refused(), transaction.atomic():
            self.row.delete()
        assert HistoricalPerson.objects.filter(pk=self.row.pk).exists()

    def test_saving_a_history_row_again_is_refused(self):
        self.row.history_change_reason = "补记原因"
        with refused(), transaction.atomic():
            self.row.save()
        self.row.refresh_from_db()
        assert self.row.history_change_reason is None

    def test_an_orm_update_of_an_entry_is_refused(self):
        with refused(), transaction.atomic():
            AuditEntry.objects.filter(pk=self.entry.pk).update(username="admin")
        self.entry.refresh_from_db()
        assert self.entry.username == ""

    def test_an_orm_delete_of_entries_is_refused(self):
        count = AuditEntry.objects.count()
        with refused(), transaction.atomic():
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.count() == count

    @pytest.mark.parametrize(
        ("table", "statement"),
        [
            ("people_historicalperson", "UPDATE {table} SET name = 'x' WHERE history_id = %s"),
            ("people_historicalperson", "DELETE FROM {table} WHERE history_id = %s"),
            ("audit_auditentry", "UPDATE {table} SET reason = 'x' WHERE id = %s"),
            ("audit_auditentry", "DELETE FROM {table} WHERE id = %s"),
        ],
    )
    def test_sql_is_refused(self, table, statement):
        pk = self.row.pk if table == "people_historicalperson" else self.entry.pk
        with refused(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=quote(table)), [pk])
        self.row.refresh_from_db()
        self.entry.refresh_from_db()
        assert (self.row.name, self.entry.reason) == ("王建国", "")
        assert verify(history_models=history_models()).ok

    def test_the_site_still_writes_history(self, superuser):
        with refused(), transaction.atomic():
            HistoricalPerson.objects.filter(pk=self.row.pk).delete()
        self.person.unit = "3单元"
        self.person._history_user = superuser
        self.person.save()
        pk = self.person.pk
        self.person.delete()
        assert not Person.objects.filter(pk=pk).exists()
        other = PersonFactory()
        assert [row.history_type for row in HistoricalPerson.objects.filter(id=pk)] == [
            "-",
            "~",
            "~",
            "+",
        ]
        assert entries_for(other).count() == 1
        assert AuditEntry.objects.count() == HistoricalPerson.objects.count() == 5
        assert verify(history_models=history_models()).ok


def save_many_at_once(work, arguments):
    """Run ``work`` once per argument, each in its own thread and database connection, all
    starting together. Errors in a thread are raised here."""
    start = threading.Barrier(len(arguments), timeout=30)

    def run(argument):
        try:
            start.wait()
            work(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        for future in [pool.submit(run, argument) for argument in arguments]:
            future.result(timeout=120)


def save_repeatedly(person_pk):
    person = Person.objects.get(pk=person_pk)
    for number in range(SAVES):
        person.notes = f"第{number}次修改"
        person._change_reason = f"并发 {number}"
        person.save()


def assert_one_chain(history_rows_expected):
    report = verify(history_models=history_models())
    assert report.ok, report.problems
    assert report.checked == AuditEntry.objects.count()
    # Exactly one entry per history row...
    assert HistoricalPerson.objects.count() == history_rows_expected
    assert AuditEntry.objects.count() == history_rows_expected
    assert set(AuditEntry.objects.values_list("source_id", flat=True)) == set(
        HistoricalPerson.objects.values_list("history_id", flat=True)
    )
    # ...and no fork: no two entries follow the same one.
    forks = AuditEntry.objects.values("prev_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert not forks.exists()
    hashes = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert all(later[0] == earlier[1] for earlier, later in pairwise(hashes))


class TestConcurrency:
    def test_many_saves_at_once_keep_one_chain(self):
        people = PersonFactory.create_batch(THREADS)
        save_many_at_once(save_repeatedly, [person.pk for person in people])
        assert_one_chain(THREADS + THREADS * SAVES)
        for person in people:
            assert history_rows(person).count() == 1 + SAVES

    def test_the_first_changes_at_once_start_one_chain(self):
        """Before the chain's lock row exists, writers racing to create it all succeed."""
        assert not ChainLock.objects.exists()
        assert not AuditEntry.objects.exists()

        def create_and_save(number):
            person = PersonFactory(name=f"并发{number}")
            save_repeatedly(person.pk)

        save_many_at_once(create_and_save, list(range(THREADS)))
        assert_one_chain(THREADS + THREADS * SAVES)
        assert ChainLock.objects.get().appends == THREADS + THREADS * SAVES


def refused_insert():
    """Refused: the row does not come through the site's recording layer."""
    return pytest.raises(DatabaseError, match="history is written only by the site")


class TestForgedInsertsAreRefused:
    """A history row (or its many-to-many rows, or a seal) inserted by anything but the
    site's recording layer is refused; the site's own writes pass."""

    def test_every_history_table_has_the_insert_trigger(self):
        from audit.database import chained_tables

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'audit_append_only' AND tgenabled = 'O' "
                "AND tgfoid = 'audit_refuse_change_or_forged_insert'::regproc "
                "AND tgtype & 4 = 4"  # fires on INSERT
            )
            tables = {name.strip('"') for (name,) in cursor.fetchall()}
        expected = set(chained_tables())
        assert {
            "people_historicalperson",
            "audit_seal",
            "duty_historicalinspection_sampled",
        } <= expected
        assert expected <= tables

    def test_a_forged_history_row_is_refused(self):
        person = PersonFactory(name="王建国")
        row = history_rows(person).last()
        columns = [
            field.column
            for field in HistoricalPerson._meta.concrete_fields
            if field.column != "history_id"
        ]
        names = ", ".join(quote(column) for column in columns)
        with refused_insert(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote('people_historicalperson')} ({names}) "
                f"SELECT {names} FROM {quote('people_historicalperson')} WHERE history_id = %s",
                [row.pk],
            )
        assert HistoricalPerson.objects.count() == 1
        assert verify(history_models=history_models()).ok

    def test_a_forged_history_row_through_the_orm_is_refused(self):
        person = PersonFactory(name="王建国")
        row = history_rows(person).last()
        row.pk = None
        row.history_change_reason = "伪造"
        with refused_insert(), transaction.atomic():
            # bulk_create sends no signal, so nothing chains it.
            HistoricalPerson.objects.bulk_create([row])
        assert HistoricalPerson.objects.count() == 1

    def test_a_forged_many_to_many_history_row_is_refused(self):
        from audit.registry import m2m_history_models
        from duty.factories import DutyRecordFactory, InspectionFactory
        from duty.models import Inspection

        inspection = InspectionFactory()
        record = DutyRecordFactory()
        inspection.sampled.add(record)
        historical = history_model(Inspection)
        (sampled,) = m2m_history_models(historical)
        last = historical.objects.filter(id=inspection.pk).latest("history_id")
        with refused_insert(), transaction.atomic():
            sampled._base_manager.bulk_create(
                [
                    sampled(
                        id=999, history_id=last.pk + 100, inspection=inspection, dutyrecord=record
                    )
                ]
            )
        assert sampled._base_manager.count() == 1

    def test_a_forged_seal_is_refused(self):
        from audit.models import Seal

        PersonFactory()
        with refused_insert(), transaction.atomic():
            Seal.objects.create(
                label="votes.roll", content_type_id=1, object_id="1", rows=[], digest="0" * 64
            )
        assert not Seal.objects.exists()

    def test_the_sites_own_writes_pass(self, superuser):
        from duty.factories import DutyRecordFactory, InspectionFactory

        with transaction.atomic():
            person = PersonFactory()
            person.notes = "回访"
            person._history_user = superuser
            person.save()
            inspection = InspectionFactory()
            inspection.sampled.add(*DutyRecordFactory.create_batch(2))
            inspection.delete()
        assert history_rows(person).count() == 2
        assert verify(history_models=history_models()).ok


class TestTheSuitesFlush:
    """A transactional test ends with Django's ``flush``, which the test settings' backend runs
    as deletes with the triggers set aside (``tests/postgresql/base.py``)."""

    def test_it_empties_every_table_and_puts_the_triggers_back(self):
        person = PersonFactory(name="王建国")
        person.building = "5号楼"
        person.save()
        assert HistoricalPerson.objects.exists() and AuditEntry.objects.exists()

        sequences = self.sequences()
        assert sequences

        # As the test's own teardown runs it: the sequences stay where they are (the command's
        # own default resets them, which is Django's flush, not this one; the next test's rows,
        # loaded again with their keys, would then meet the next key a sequence hands out).
        # Nothing is made after it: the rows this module's tests start from are loaded again by
        # the next test.
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )

        assert self.sequences() == sequences
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True):
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                assert cursor.fetchone() == (False,), table
            # The triggers are on again: the role that sets them aside is back to its own.
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone() == ("origin",)
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'audit_append_only' AND tgenabled = 'O'"
            )
            tables = {name.strip('"') for (name,) in cursor.fetchall()}
        assert set(append_only_tables()) <= tables

    @staticmethod
    def sequences():
        """Each sequence of the site's tables that has handed out a key, with its last key."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL"
            )
            return dict(cursor.fetchall())
