"""The vote tables in the audit chain: the roll sealed at opening, the ballot box (ballots and
receipts) at closing. A ballot, receipt or roll entry
altered, added or removed in the database afterwards is named by ``verify_audit``, with the
motion. Runs on SQLite and PostgreSQL (where the tampering lifts the triggers first)."""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from audit import seals
from audit.chain import verify
from audit.models import Action, AuditEntry, Seal
from audit.registry import history_models
from core.transitions import perform
from votes.models import Ballot, BallotReceipt, MotionState, RollEntry
from votes.sealing import BALLOT_BOX, ROLL

from ..audit.support import append_only_lifted, run_verify
from .conftest import options, vote_pattern

pytestmark = pytest.mark.django_db


def problems():
    report = verify(history_models=history_models())
    return [(problem.kind, problem.message) for problem in report.problems]


def assert_intact():
    found = problems()
    assert not found, found
    assert run_verify()[0] == 0


def assert_named(kind, *texts):
    found = problems()
    assert any(k == kind and all(t in message for t in texts) for k, message in found), found
    code, _out, err = run_verify()
    assert code == 1
    for text in texts:
        assert text in err


def quote(name):
    return connection.ops.quote_name(name)


@pytest.fixture(params=[False, True], ids=["named", "secret"])
def closed(request, make_reps, make_motion, clerk):
    """A motion voted on by five of six representatives (3 for, 1 against, 1 abstain) and
    closed."""
    people = make_reps(6)
    motion = make_motion(MotionState.OPEN, secret=request.param, title="加装电梯")
    vote_pattern(motion, people, [3, 1, 1])
    perform(motion, "close", clerk)
    motion.refresh_from_db()
    return motion, people


def ballot_table():
    return Ballot._meta.db_table


class TestSealedAtTheRightMoments:
    def test_roll_receipts_and_ballot_box_are_sealed(self, closed):
        motion, _people = closed
        roll = seals.latest(ROLL, motion)
        box = seals.latest(BALLOT_BOX, motion)
        assert len(roll.rows) == 6
        ballots = [row["ballot"] for row in box.rows if "ballot" in row]
        receipts = [row["receipt"] for row in box.rows if "receipt" in row]
        assert len(ballots) == 5
        assert len(receipts) == 5
        # Receipts by person, ballots by option: neither in the order the votes came.
        assert [row["person_id"] for row in receipts] == sorted(r["person_id"] for r in receipts)
        sort_orders = {option.pk: option.sort_order for option in options(motion)}
        assert [sort_orders[row["option_id"]] for row in ballots] == [0, 0, 0, 1, 2]
        entry = AuditEntry.objects.get(
            source_type=ContentType.objects.get_for_model(Seal), source_id=box.pk
        )
        assert (entry.action, entry.detail, entry.username) == (Action.SEALED, BALLOT_BOX, "clerk")
        assert_intact()

    def test_publishing_the_results_keeps_the_chain_intact(self, closed, clerk):
        motion, _people = closed
        perform(motion, "publish_results", clerk)
        assert_intact()

    def test_no_ballot_is_chained_while_the_vote_is_open(self, make_reps, make_motion):
        people = make_reps(3)
        motion = make_motion(MotionState.OPEN, secret=True)
        vote_pattern(motion, people, [2, 1, 0])
        # Only the roll, sealed as the vote opened: nothing as ballots are cast.
        assert list(Seal.objects.values_list("label", flat=True)) == [ROLL]
        assert_intact()


class TestTamperedBallotBox:
    def test_a_ballot_altered(self, closed):
        motion, _people = closed
        ballot = Ballot.objects.filter(motion=motion).order_by("pk").last()
        winner = options(motion)[0]
        with append_only_lifted(ballot_table()) as cursor:
            cursor.execute(
                f"UPDATE {quote(ballot_table())} SET option_id = %s WHERE id = %s",
                [winner.pk, ballot.pk],
            )
        assert_named("altered", f"votes.ballot_box of votes.motion #{motion.pk}", "加装电梯")

    def test_a_ballot_removed(self, closed):
        motion, _people = closed
        ballot = Ballot.objects.filter(motion=motion).order_by("pk").first()
        with append_only_lifted(ballot_table()) as cursor:
            cursor.execute(f"DELETE FROM {quote(ballot_table())} WHERE id = %s", [ballot.pk])
        assert_named("altered", f"votes.ballot_box of votes.motion #{motion.pk}")

    def test_a_ballot_added(self, closed):
        motion, _people = closed
        Ballot.objects.bulk_create([Ballot(motion=motion, option=options(motion)[1])])
        assert_named("altered", f"votes.ballot_box of votes.motion #{motion.pk}")

    def test_a_receipt_removed(self, closed):
        motion, _people = closed
        receipt = BallotReceipt.objects.filter(motion=motion).first()
        table = BallotReceipt._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(f"DELETE FROM {quote(table)} WHERE id = %s", [receipt.pk])
        assert_named(
            "altered", f"votes.ballot_box of votes.motion #{motion.pk}", "5 ballot(s) for 4"
        )

    def test_a_receipt_inserted(self, closed):
        motion, people = closed
        (forged,) = BallotReceipt.objects.bulk_create(
            [BallotReceipt(motion=motion, person=people[-1], channel="hall")]
        )
        assert forged.pk
        assert_named(
            "altered", f"votes.ballot_box of votes.motion #{motion.pk}", "5 ballot(s) for 6"
        )


class TestTamperedRoll:
    def test_a_roll_entry_inserted(self, closed, make_rep):
        motion, _people = closed
        RollEntry.objects.bulk_create([RollEntry(motion=motion, person=make_rep())])
        assert_named("altered", f"votes.roll of votes.motion #{motion.pk}")

    def test_a_roll_entry_removed(self, closed):
        motion, _people = closed
        RollEntry.objects.filter(motion=motion).order_by("pk").first().delete()
        assert_named("altered", f"votes.roll of votes.motion #{motion.pk}")

    def test_a_roll_entry_altered_while_the_vote_is_open(self, make_reps, make_motion, make_rep):
        make_reps(2)
        motion = make_motion(MotionState.OPEN)
        first = RollEntry.objects.filter(motion=motion).order_by("pk").first()
        RollEntry.objects.filter(pk=first.pk).update(person=make_rep())
        assert_named("altered", f"votes.roll of votes.motion #{motion.pk}")

    def test_a_receipt_deleted_while_the_vote_is_open(self, make_reps, make_motion, clerk):
        people = make_reps(2)
        motion = make_motion(MotionState.OPEN, title="修缮围墙")
        vote_pattern(motion, people, [1, 1, 0])
        receipt = BallotReceipt.objects.filter(motion=motion).first()
        table = BallotReceipt._meta.db_table
        with append_only_lifted(table) as cursor:
            cursor.execute(f"DELETE FROM {quote(table)} WHERE id = %s", [receipt.pk])
        perform(motion, "close", clerk)
        assert_named(
            "altered", f"votes.ballot_box of votes.motion #{motion.pk}", "2 ballot(s) for 1"
        )

    def test_a_closed_motion_without_its_seal_is_named(self, closed):
        motion, _people = closed
        box = seals.latest(BALLOT_BOX, motion)
        entry = AuditEntry.objects.get(
            source_type=ContentType.objects.get_for_model(Seal), source_id=box.pk
        )
        with append_only_lifted() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(AuditEntry._meta.db_table)} WHERE id = %s", [entry.pk]
            )
            cursor.execute(f"DELETE FROM {quote(Seal._meta.db_table)} WHERE id = %s", [box.pk])
        assert_named("inserted", f"votes.motion #{motion.pk} has no seal votes.ballot_box")


def test_a_ballot_slipped_in_before_the_close_is_named(make_reps, make_motion, clerk):
    people = make_reps(3)
    motion = make_motion(MotionState.OPEN, title="修缮围墙")
    vote_pattern(motion, people, [1, 1, 0])
    # Written straight into the table while the vote is open: no receipt stands for it.
    Ballot.objects.bulk_create([Ballot(motion=motion, option=options(motion)[0])])
    perform(motion, "close", clerk)
    assert_named("altered", f"votes.ballot_box of votes.motion #{motion.pk}", "3 ballot(s) for 2")
