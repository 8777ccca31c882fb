"""``upgrade_audit`` brings a database written by the version before seals into the chain.

The database "from before" is built by the site's own flows with the earlier behaviour
(``earlier_version.written_by_the_earlier_version``): entries chained with the earlier digest
(copied from the earlier code), revisions and votes left unsealed, secret boxes not rewritten.
The earlier walk of the chain finds it intact; the current ``verify_audit`` does not. The
upgrade seals what was never sealed and re-chains what still matches the earlier rule, and
never launders a row altered behind the site. Runs on SQLite and PostgreSQL (where the
tampering lifts the append-only triggers first, as whoever owns the tables could).
"""

import io
from unittest import mock

import pytest

from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection

from wagtail.models import Revision

from audit import seals, upgrade
from audit.chain import verify
from audit.models import AuditEntry, Seal
from audit.registry import history_model, history_models, m2m_history_models
from audit.revisions import LABEL as REVISION
from core.transitions import perform
from duty.factories import DutyRecordFactory, InspectionFactory
from duty.models import Inspection
from people.factories import PersonFactory
from people.models import Person
from tests.home.factories import StandardPageFactory
from votes.factories import MotionFactory
from votes.models import Ballot, BallotReceipt
from votes.sealing import BALLOT_BOX, ROLL
from votes.services import cast

from .earlier_version import earlier_problems, written_by_the_earlier_version
from .support import append_only_lifted, entry_for, history_rows, run_verify

pytestmark = pytest.mark.django_db

HistoricalInspection = history_model(Inspection)
(SampledHistory,) = m2m_history_models(HistoricalInspection)


def quote(name):
    return connection.ops.quote_name(name)


def problems():
    return [
        (problem.entry_id, problem.kind, problem.message)
        for problem in verify(history_models=history_models()).problems
    ]


def run_upgrade(*args):
    """``upgrade_audit`` with ``args``: (stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("upgrade_audit", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def vote_and_close(motion, people, choices, clerk):
    perform(motion, "open", clerk)
    options = list(motion.options.order_by("sort_order", "pk"))
    for person, index in zip(people, choices, strict=False):
        cast(motion.pk, person, options[index].pk)
    perform(motion, "close", clerk)
    motion.refresh_from_db()
    return motion


@pytest.fixture
def earlier_database(home_page, editor, moderator, clerk):
    """What a site of the earlier version holds: a page with three revisions, an inspection
    with sampled records (three history rows, each with its many-to-many history), a secret
    vote and a named vote closed, and a vote still open."""
    with written_by_the_earlier_version():
        page = StandardPageFactory(title="办事指南", user=moderator)
        page.title = "办事指南（修订）"
        page.save_revision(user=editor, log_action=True).publish(user=moderator)

        inspection = InspectionFactory(findings="记录完整。")
        records = DutyRecordFactory.create_batch(3)
        inspection.sampled.set(records[:2])
        inspection.sampled.add(records[2])

        people = [PersonFactory(is_representative=True) for _ in range(5)]
        secret = vote_and_close(MotionFactory(secret=True), people, [0, 1, 0, 2, 0], clerk)
        named = vote_and_close(MotionFactory(title="加装电梯"), people, [1, 0, 0], clerk)
        still_open = MotionFactory(title="增设快递柜")
        perform(still_open, "open", clerk)
    return {
        "page": page,
        "inspection": inspection,
        "secret": secret,
        "named": named,
        "open": still_open,
    }


def sealed(label, obj):
    return seals.latest(label, obj)


class TestTheDatabaseFromBefore:
    def test_the_earlier_version_finds_its_chain_intact(self, earlier_database):
        assert AuditEntry.objects.exists()
        assert earlier_problems() == []
        assert not Seal.objects.exists()

    def test_verify_audit_names_what_the_earlier_version_left(self, earlier_database):
        found = problems()
        kinds = {kind for _id, kind, _message in found}
        assert kinds == {"not upgraded", "inserted"}, found
        # Each version of the inspection, chained without its sampled records.
        inspection = earlier_database["inspection"]
        not_upgraded = {entry_id for entry_id, kind, _m in found if kind == "not upgraded"}
        assert not_upgraded == {entry_for(row).pk for row in history_rows(inspection)}
        messages = " ".join(message for _id, _kind, message in found)
        for revision in Revision.objects.all():
            assert f"wagtailcore.revision #{revision.pk} has no seal" in messages
        for motion in ("secret", "named", "open"):
            pk = earlier_database[motion].pk
            assert f"votes.motion #{pk} has no seal votes.roll" in messages
        for motion in ("secret", "named"):
            pk = earlier_database[motion].pk
            assert f"votes.motion #{pk} has no seal votes.ballot_box" in messages
        assert f"#{earlier_database['open'].pk} has no seal votes.ballot_box" not in messages
        code, _out, err = run_verify()
        assert code == 1
        assert "upgrade_audit" in err


class TestTheUpgrade:
    def test_after_the_upgrade_verify_audit_passes(self, earlier_database):
        out, err = run_upgrade()
        revisions = Revision.objects.count()
        assert f"{REVISION}: sealed {revisions}" in out
        assert f"{ROLL}: sealed 3" in out
        assert f"{BALLOT_BOX}: sealed 2 (1 changed first" in out
        entries = history_rows(earlier_database["inspection"]).count()
        assert f"history entries re-chained (chained under an earlier rule): {entries}" in out
        assert err == ""
        assert problems() == []
        code, out, _err = run_verify()
        assert code == 0
        assert "Audit chain intact" in out

    def test_every_set_is_sealed_as_it_stands(self, earlier_database):
        run_upgrade()
        for revision in Revision.objects.all():
            assert sealed(REVISION, revision).rows[0]["content"] == revision.content
        for motion in ("secret", "named", "open"):
            assert sealed(ROLL, earlier_database[motion]) is not None
        assert sealed(BALLOT_BOX, earlier_database["open"]) is None
        box = sealed(BALLOT_BOX, earlier_database["named"])
        assert sum(1 for row in box.rows if "ballot" in row) == 3

    def test_a_secret_box_is_rewritten_as_its_close_now_does(self, earlier_database):
        motion = earlier_database["secret"]
        options = [option.pk for option in motion.options.order_by("sort_order", "pk")]
        # As the earlier close left it: ballots in the order they were cast, one by one
        # beside their receipts.
        cast_order = list(motion.ballots.order_by("pk").values_list("option_id", flat=True))
        assert cast_order == [options[i] for i in (0, 1, 0, 2, 0)]
        before = set(motion.ballots.values_list("pk", flat=True))
        run_upgrade()
        ballots = list(motion.ballots.order_by("pk").values_list("pk", "option_id"))
        # Same counts, new ids, and by id in the order of the options.
        assert [option for _pk, option in ballots] == [options[i] for i in (0, 0, 0, 1, 2)]
        assert not before & {pk for pk, _option in ballots}
        assert BallotReceipt.objects.filter(motion=motion).count() == 5

    def test_the_upgrade_entries_say_why(self, earlier_database):
        run_upgrade()
        (rechained,) = Seal.objects.filter(label=upgrade.RECHAINED)
        entry = AuditEntry.objects.get(
            source_type=ContentType.objects.get_for_model(Seal), source_id=rechained.pk
        )
        assert entry.reason
        assert entry.user_id is None
        inspection_entries = {
            entry_for(row).pk for row in history_rows(earlier_database["inspection"])
        }
        assert {row["entry"] for row in rechained.rows} == inspection_entries

    def test_a_second_run_changes_nothing_and_says_so(self, earlier_database):
        run_upgrade()
        counts = (AuditEntry.objects.count(), Seal.objects.count(), Ballot.objects.count())
        ballots = set(Ballot.objects.values_list("pk", flat=True))
        out, err = run_upgrade()
        assert "Nothing to upgrade" in out
        assert err == ""
        assert (AuditEntry.objects.count(), Seal.objects.count(), Ballot.objects.count()) == counts
        assert set(Ballot.objects.values_list("pk", flat=True)) == ballots
        assert run_verify()[0] == 0

    def test_a_dry_run_says_what_it_would_do_and_changes_nothing(self, earlier_database):
        counts = (AuditEntry.objects.count(), Seal.objects.count())
        ballots = set(Ballot.objects.values_list("pk", flat=True))
        out, _err = run_upgrade("--dry-run")
        assert f"Would do (dry run, nothing changed): {ROLL}: sealed 3" in out
        assert (AuditEntry.objects.count(), Seal.objects.count()) == counts
        assert set(Ballot.objects.values_list("pk", flat=True)) == ballots
        assert run_verify()[0] == 1

    def test_it_runs_in_one_transaction(self, earlier_database):
        """A failure half-way leaves nothing of the upgrade behind."""
        counts = (AuditEntry.objects.count(), Seal.objects.count())
        real_seal = seals.seal
        calls = []

        def failing_seal(*args, **kwargs):
            calls.append(args)
            if len(calls) == 3:
                raise DatabaseError("the disk is full")
            return real_seal(*args, **kwargs)

        with mock.patch("audit.seals.seal", failing_seal), pytest.raises(CommandError) as error:
            run_upgrade()
        assert "changed nothing" in str(error.value)
        assert len(calls) == 3
        assert (AuditEntry.objects.count(), Seal.objects.count()) == counts
        assert run_verify()[0] == 1

    def test_a_database_from_now_needs_nothing(self, home_page, editor, clerk):
        page = StandardPageFactory(title="新页面")
        page.save_revision(user=editor)
        InspectionFactory().sampled.set(DutyRecordFactory.create_batch(2))
        vote_and_close(
            MotionFactory(secret=True), [PersonFactory(is_representative=True)], [0], clerk
        )
        counts = (AuditEntry.objects.count(), Seal.objects.count())
        out, _err = run_upgrade()
        assert "Nothing to upgrade" in out
        assert (AuditEntry.objects.count(), Seal.objects.count()) == counts


class TestNothingLaundered:
    def test_an_inspection_altered_before_the_upgrade_is_still_named(self, earlier_database):
        inspection = earlier_database["inspection"]
        first = history_rows(inspection).first()
        table = HistoricalInspection._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('findings')} = %s WHERE {quote('history_id')} = %s",
                ["抽查无问题。", first.pk],
            )
        _out, err = run_upgrade()
        entry = entry_for(first)
        assert f"left as found: entry {entry.pk}: duty.historicalinspection #{first.pk}" in err
        found = problems()
        assert [(entry_id, kind) for entry_id, kind, _m in found] == [(entry.pk, "altered")]
        code, _out, err = run_verify()
        assert code == 1
        assert f"altered: entry {entry.pk}" in err
        # And so on every later run.
        _out, err = run_upgrade()
        assert f"entry {entry.pk}" in err
        assert problems() == found

    def test_an_entry_altered_before_the_upgrade_is_still_named(self, earlier_database):
        last = history_rows(earlier_database["inspection"]).last()
        entry = entry_for(last)
        table = AuditEntry._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('username')} = %s WHERE {quote('id')} = %s",
                ["supervisor", entry.pk],
            )
        run_upgrade()
        assert [(i, kind) for i, kind, _m in problems()] == [(entry.pk, "altered")]

    def test_sampled_records_altered_after_the_upgrade_are_named(self, earlier_database):
        run_upgrade()
        last = history_rows(earlier_database["inspection"]).last()
        m2m_row = SampledHistory._base_manager.filter(history=last).first()
        other = DutyRecordFactory()
        table = SampledHistory._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote('dutyrecord_id')} = %s "
                f"WHERE {quote('m2m_history_id')} = %s",
                [other.pk, m2m_row.pk],
            )
        found = problems()
        assert [(i, kind) for i, kind, _m in found] == [(entry_for(last).pk, "altered")]

    def test_a_rechained_seal_altered_is_named(self, earlier_database):
        run_upgrade()
        (record,) = Seal.objects.filter(label=upgrade.RECHAINED)
        row = record.rows[0]
        table = Seal._meta.db_table
        with append_only_lifted(table):
            Seal.objects.filter(pk=record.pk).update(rows=[{**row, "digest": "0" * 64}])
        kinds = {kind for _i, kind, _m in problems()}
        assert "altered" in kinds

    def test_a_stuffed_ballot_box_is_left_unsealed_and_named(self, earlier_database):
        motion = earlier_database["named"]
        option = motion.options.order_by("sort_order").first()
        # A ballot slipped into the closed box behind the site (ballots take inserts).
        Ballot.objects.create(motion=motion, option=option, voter=None, cast_at=None)
        _out, err = run_upgrade()
        assert f"votes.motion #{motion.pk}: not sealed as {BALLOT_BOX}" in err
        assert "it holds 4 ballot(s) for 3 receipt(s)" in err
        assert sealed(BALLOT_BOX, motion) is None
        code, _out, err = run_verify()
        assert code == 1
        assert f"votes.motion #{motion.pk} has no seal {BALLOT_BOX}" in err
        # The other boxes were sealed all the same.
        assert sealed(BALLOT_BOX, earlier_database["secret"]) is not None


class TestColumnsAddedSince:
    """A migration that adds a column to a history table changes the digest of every row
    chained before; those rows still match their digest over the columns of their time."""

    def test_an_entry_chained_before_a_column_was_added_is_rechained(self, make_user):
        HistoricalPerson = history_model(Person)
        before = frozenset(
            f.attname for f in HistoricalPerson._meta.concrete_fields if f.attname != "phone"
        )

        def digest_without_phone(model, pk):
            row = model._base_manager.filter(pk=pk).values().first()
            return upgrade.chain._digest({k: v for k, v in row.items() if k != "phone"})

        with mock.patch("audit.chain.source_digest", digest_without_phone):
            person = PersonFactory(name="王建国")
        row = history_rows(person).get()
        entry = entry_for(row)
        assert [(i, kind) for i, kind, _m in problems()] == [(entry.pk, "altered")]
        with mock.patch.object(
            upgrade,
            "earlier_columns",
            lambda model: [before] if model is HistoricalPerson else [],
        ):
            assert [(i, kind) for i, kind, _m in problems()] == [(entry.pk, "not upgraded")]
            out, _err = run_upgrade()
            assert "history entries re-chained (chained under an earlier rule): 1" in out
        assert problems() == []
        assert run_verify()[0] == 0

    def test_the_columns_of_earlier_migrations_are_known(self):
        # Every history table has had at least its current columns' set.
        for model in history_models():
            current = frozenset(f.attname for f in model._meta.concrete_fields)
            assert current in upgrade.earlier_columns(model), model

    def test_an_entry_rechained_before_is_rechained_again_after_a_later_column(
        self, earlier_database
    ):
        """Re-chained once, then a column is added again: the row must still give, under the
        columns of the first re-chaining, the digest kept then."""
        row = history_rows(earlier_database["inspection"]).last()
        entry = entry_for(row)
        (stored, attached) = upgrade.chain.source_rows(HistoricalInspection, [row.pk])[row.pk]
        chained = upgrade.chain._digest(stored)  # the rule before many-to-many history
        # As if "findings" had been added after the first re-chaining.
        narrowed = {k: v for k, v in stored.items() if k != "findings"}
        kept = upgrade.chain._digest(narrowed, attached)
        with mock.patch.object(upgrade, "earlier_columns", lambda model: [frozenset(narrowed)]):
            assert (
                upgrade.chained_with(entry, HistoricalInspection, stored, attached, (chained, kept))
                == chained
            )
            altered = {**stored, "period_end": "2000-01-01"}
            assert (
                upgrade.chained_with(
                    entry, HistoricalInspection, altered, attached, (chained, kept)
                )
                is None
            )
        # An entry whose own fields changed is never re-chained, whatever its row gives.
        entry.username = "someone else"
        assert (
            upgrade.chained_with(entry, HistoricalInspection, stored, attached, (chained, kept))
            is None
        )
