"""A secret ballot box, once closed, pairs no receipt with a choice. Each test runs an
attack someone reading the whole database would try: while the vote is open it pairs every
receipt with its ballot (so the test can fail); once the vote has closed, what it reads of
the ballots is the result alone (options in their listed order), the same whoever chose what.

The PostgreSQL system columns (``xmin``, ``ctid``) are tried in ``TestSystemColumns``, which
runs on PostgreSQL only (``tests/conftest.py``).
"""

import pytest

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction

from audit.database import allow_rewrite
from audit.models import AuditEntry
from audit.registry import history_models
from votes.models import Ballot, BallotReceipt, MotionState
from votes.services import canonical_ballots
from votes.tally import tally

from .conftest import options, step, vote

# The order the voters cast their ballots in, by option index (0 for, 1 against, 2 abstain):
# not the order of the options, so that the canonical order differs from the casting order.
CASTING = [1, 0, 2, 0, 1, 1, 0]


@pytest.fixture
def ballot_box(make_reps, make_motion, clock):
    """A secret motion with its ballots cast one after another, a minute apart; returns the
    motion and the truth (person id -> option id) the attacks try to recover."""
    people = make_reps(len(CASTING) + 1)  # one does not vote
    motion = make_motion(MotionState.OPEN, secret=True)
    truth = {}
    for person, index in zip(people, CASTING, strict=False):
        clock.advance(minutes=1)
        truth[person.pk] = vote(motion, person, index).pk
    return motion, truth


def close(motion, clerk):
    step(motion, "close", by=clerk)


def receipts(motion, order):
    return list(
        BallotReceipt.objects.filter(motion=motion).order_by(order).values_list("person_id")
    )


def pair(receipt_people, ballot_options):
    """The attacker's guess: the n-th receipt goes with the n-th ballot."""
    return {
        person_id: option_id
        for (person_id,), (option_id,) in zip(receipt_people, ballot_options, strict=True)
    }


def ballots_by_id(motion):
    return list(Ballot.objects.filter(motion=motion).order_by("pk").values_list("option_id"))


def canonical_options(motion):
    """What the ballot box may show once closed: the options in their listed order, each as
    many times as it was chosen. A function of the result alone."""
    return [(count.option_id,) for count in tally(motion).counts for _ in range(count.votes)]


class TestPairingByOrder:
    def test_by_id(self, ballot_box, clerk):
        motion, truth = ballot_box
        assert pair(receipts(motion, "pk"), ballots_by_id(motion)) == truth

        close(motion, clerk)

        assert ballots_by_id(motion) == canonical_options(motion)
        assert pair(receipts(motion, "pk"), ballots_by_id(motion)) != truth

    def test_by_time(self, ballot_box, clerk):
        """Secret ballots carry no time: the receipts' times meet the ballots' ids."""
        motion, truth = ballot_box
        assert not Ballot.objects.filter(motion=motion, cast_at__isnull=False).exists()
        assert pair(receipts(motion, "cast_at"), ballots_by_id(motion)) == truth

        close(motion, clerk)

        assert pair(receipts(motion, "cast_at"), ballots_by_id(motion)) != truth
        assert not Ballot.objects.filter(motion=motion, cast_at__isnull=False).exists()

    def test_the_ids_are_new(self, ballot_box, clerk):
        """No ballot keeps an id it had while the vote was open: the new ones come after
        them all, taken in the canonical order."""
        motion, truth = ballot_box
        before = set(Ballot.objects.filter(motion=motion).values_list("pk", flat=True))

        close(motion, clerk)

        after = set(Ballot.objects.filter(motion=motion).values_list("pk", flat=True))
        assert len(after) == len(before) == len(truth)
        assert not before & after
        assert min(after) > max(before)

    def test_the_box_says_only_the_result(self, make_reps, make_motion, clerk):
        """Two secret motions, the same voters and the same counts, each voter choosing
        differently: open, their ballot boxes differ in who sits where; closed, every column
        but the ids' offset is the same."""
        people = make_reps(4)
        first = make_motion(MotionState.OPEN, secret=True)
        second = make_motion(MotionState.OPEN, secret=True)
        for person, index in zip(people, [0, 1, 0, 2], strict=True):
            vote(first, person, index)
        for person, index in zip(people, [2, 0, 1, 0], strict=True):
            vote(second, person, index)

        def box(motion):
            rows = list(
                Ballot.objects.filter(motion=motion)
                .order_by("pk")
                .values("pk", "option__sort_order", "voter", "cast_at")
            )
            start = rows[0]["pk"]
            return [{**row, "pk": row["pk"] - start} for row in rows]

        assert box(first) != box(second)
        close(first, clerk)
        close(second, clerk)
        assert box(first) == box(second)

    def test_the_count_is_kept(self, ballot_box, clerk):
        motion, truth = ballot_box
        counted = [(c.option_id, c.votes) for c in tally(motion).counts]
        close(motion, clerk)
        assert [(c.option_id, c.votes) for c in tally(motion).counts] == counted
        assert list(canonical_ballots(motion).values_list("pk", flat=True)) == list(
            Ballot.objects.filter(motion=motion).order_by("pk").values_list("pk", flat=True)
        )

    def test_a_named_vote_keeps_its_ballots_as_cast(self, make_reps, make_motion, clerk):
        people = make_reps(3)
        motion = make_motion(MotionState.OPEN)
        for person, index in zip(people, [1, 0, 2], strict=True):
            vote(motion, person, index)
        before = list(Ballot.objects.filter(motion=motion).order_by("pk").values())
        close(motion, clerk)
        assert list(Ballot.objects.filter(motion=motion).order_by("pk").values()) == before

    def test_the_other_votes_ballots_are_left_alone(
        self, ballot_box, make_reps, make_motion, clerk
    ):
        motion, truth = ballot_box
        (voter,) = make_reps(1)
        other = make_motion(MotionState.OPEN, secret=True)
        vote(other, voter, 2)
        kept = list(Ballot.objects.filter(motion=other).values())
        close(motion, clerk)
        assert list(Ballot.objects.filter(motion=other).values()) == kept


class TestPairingByRecords:
    def test_no_audit_entry_or_history_row_follows_the_ballots(self, ballot_box, clerk):
        """The chain and the history are written in time: an entry per ballot, or a history
        row of anything touched as each ballot is cast, would line up with the receipts.
        While the vote is open, nothing is written about a ballot or an option at all; the
        ballot box is only ever recorded whole, at close."""
        motion, truth = ballot_box
        opened = motion.opened_at
        ballot_type = ContentType.objects.get_for_model(Ballot)
        during = AuditEntry.objects.filter(timestamp__gt=opened)
        assert not during.filter(content_type=ballot_type).exists()
        written = [
            model
            for model in history_models()
            if model.objects.filter(history_date__gt=opened).exists()
        ]
        assert written == []

        close(motion, clerk)
        motion.refresh_from_db()
        assert not AuditEntry.objects.filter(
            content_type=ballot_type, timestamp__lt=motion.closed_at
        ).exists()


@pytest.mark.postgresql
class TestSystemColumns:
    def system_columns(self, model, motion, column):
        """``(column, person or option)`` of the motion's rows, in the column's order."""
        table = connection.ops.quote_name(model._meta.db_table)
        key = "person_id" if model is BallotReceipt else "option_id"
        # ``xid`` has no order of its own; ``tid`` (ctid) does.
        order = "xmin::text::bigint" if column == "xmin" else column
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column}::text, {key} FROM {table} "  # noqa: S608
                f"WHERE motion_id = %s ORDER BY {order}",
                [motion.pk],
            )
            return cursor.fetchall()

    def test_by_transaction_id(self, ballot_box, clerk):
        """A receipt and its ballot were written in one transaction: same ``xmin``."""
        motion, truth = ballot_box

        def attack():
            ballots = dict(self.system_columns(Ballot, motion, "xmin"))
            return {
                person_id: ballots[xmin]
                for xmin, person_id in self.system_columns(BallotReceipt, motion, "xmin")
                if xmin in ballots
            }

        assert attack() == truth
        close(motion, clerk)
        assert attack() == {}

    def test_by_place_on_disk(self, ballot_box, clerk):
        """Rows written one after the other lie one after the other (``ctid``)."""
        motion, truth = ballot_box

        def attack():
            return pair(
                [(p,) for _ctid, p in self.system_columns(BallotReceipt, motion, "ctid")],
                [(o,) for _ctid, o in self.system_columns(Ballot, motion, "ctid")],
            )

        assert attack() == truth
        close(motion, clerk)
        # The rewritten rows are inserted in the canonical order; where each lands is up to
        # PostgreSQL's free-space map (space freed by earlier, vacuumed rows is reused), so
        # their order on disk is the canonical one or unrelated to the voters, never theirs.
        on_disk = [(o,) for _c, o in self.system_columns(Ballot, motion, "ctid")]
        assert sorted(on_disk) == sorted(canonical_options(motion))
        assert attack() != truth


@pytest.mark.postgresql
class TestTheRewriteIsTheOnlyChange:
    @pytest.fixture
    def ballot(self, make_rep, make_motion, clerk):
        self.clerk = clerk
        voter = make_rep()
        motion = make_motion(MotionState.OPEN, secret=True)
        vote(motion, voter, 0)
        return motion, Ballot.objects.get(motion=motion)

    def sql(self, statement, *params):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    def test_without_leave_a_ballot_cannot_be_deleted(self, ballot):
        motion, row = ballot
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            self.sql("DELETE FROM votes_ballot WHERE id = %s", row.pk)
        assert Ballot.objects.filter(pk=row.pk).exists()

    def test_the_leave_lets_a_delete_through_in_its_block_only(self, ballot):
        motion, row = ballot
        with transaction.atomic():
            with allow_rewrite(Ballot):
                self.sql("DELETE FROM votes_ballot WHERE id = %s", row.pk)
            assert not Ballot.objects.filter(pk=row.pk).exists()
            transaction.set_rollback(True)
        assert Ballot.objects.filter(pk=row.pk).exists()
        # After the block, in the same transaction, the trigger refuses again.
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with allow_rewrite(Ballot):
                # Inside the block the delete would pass (shown above); nothing is done here.
                assert Ballot.objects.filter(pk=row.pk).exists()
            self.sql("DELETE FROM votes_ballot WHERE id = %s", row.pk)
        # And after a close, which rewrote the box in the test's own transaction.
        step(motion, "close", by=self.clerk)
        (row,) = Ballot.objects.filter(motion=motion)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            self.sql("DELETE FROM votes_ballot WHERE id = %s", row.pk)

    def test_never_an_update_nor_a_receipt(self, ballot):
        motion, row = ballot
        receipt = BallotReceipt.objects.get(motion=motion)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            allow_rewrite(Ballot),
        ):
            self.sql(
                "UPDATE votes_ballot SET option_id = %s WHERE id = %s",
                options(motion)[1].pk,
                row.pk,
            )
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            allow_rewrite(Ballot),
        ):
            self.sql("DELETE FROM votes_ballotreceipt WHERE id = %s", receipt.pk)
        with (
            pytest.raises(ValueError, match="not registered"),
            transaction.atomic(),
            allow_rewrite(BallotReceipt),
        ):
            pytest.fail("allow_rewrite let a table that is not rewritable in")
        assert Ballot.objects.get(pk=row.pk).option == options(motion)[0]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dead_rows_are_vacuumed_once_the_close_commits(make_reps, make_motion, clerk):
    """The deleted rows keep their ``xmin`` and places until VACUUM clears them."""
    voters = make_reps(3)
    motion = make_motion(MotionState.OPEN, secret=True)
    for person, index in zip(voters, [1, 0, 1], strict=True):
        vote(motion, person, index)

    def vacuums():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'votes_ballot'"
            )
            return cursor.fetchone()[0]

    before = vacuums()
    close(motion, clerk)
    assert vacuums() == before + 1
