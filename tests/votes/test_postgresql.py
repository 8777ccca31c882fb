"""On PostgreSQL: the ballot tables refuse UPDATE and DELETE from anyone, and ballots cast at
the same moment leave exactly one per person.

Deselected (not skipped) on SQLite: ``tests/conftest.py``.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from django.db import DatabaseError, connection, transaction

from audit.database import append_only_tables
from core import roles
from core.transitions import TransitionRefused, perform
from people.factories import PersonFactory, UserFactory
from votes.factories import MotionFactory
from votes.models import Ballot, BallotReceipt, Motion, MotionState
from votes.services import ALREADY_VOTED, VoteRefused, cast, record_attendance
from votes.tally import tally

from .conftest import options, vote

pytestmark = pytest.mark.postgresql


def refused():
    """The database refuses the statement; the transaction around it is rolled back."""
    return pytest.raises(DatabaseError, match="append-only")


def quote(name):
    return connection.ops.quote_name(name)


@pytest.mark.django_db
class TestBallotsAreAppendOnly:
    @pytest.fixture
    def cast_ballot(self, make_rep, make_motion, clerk):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        vote(motion, person, 0)
        perform(motion, "close", clerk)
        return motion, Ballot.objects.get(), BallotReceipt.objects.get()

    def test_the_tables_have_the_trigger(self):
        assert {"votes_ballot", "votes_ballotreceipt"} <= set(append_only_tables())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE tgname = 'audit_append_only' AND tgenabled = 'O'"
            )
            tables = {name.strip('"') for (name,) in cursor.fetchall()}
        assert {"votes_ballot", "votes_ballotreceipt"} <= tables

    @pytest.mark.parametrize(
        ("table", "statement"),
        [
            ("votes_ballot", "UPDATE {table} SET option_id = %(other)s WHERE id = %(ballot)s"),
            ("votes_ballot", "UPDATE {table} SET voter_id = NULL WHERE id = %(ballot)s"),
            ("votes_ballot", "DELETE FROM {table} WHERE id = %(ballot)s"),
            ("votes_ballot", "DELETE FROM {table}"),
            ("votes_ballotreceipt", "UPDATE {table} SET channel = 'hall' WHERE id = %(receipt)s"),
            ("votes_ballotreceipt", "DELETE FROM {table} WHERE id = %(receipt)s"),
        ],
    )
    def test_sql_is_refused(self, cast_ballot, table, statement):
        motion, ballot, receipt = cast_ballot
        params = {"ballot": ballot.pk, "receipt": receipt.pk, "other": options(motion)[1].pk}
        with refused(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=quote(table)), params)
        ballot = Ballot.objects.get(pk=ballot.pk)
        assert (ballot.option, ballot.voter_id) == (options(motion)[0], receipt.person_id)
        assert BallotReceipt.objects.get(pk=receipt.pk).channel == "online"

    def test_orm_bulk_changes_are_refused(self, cast_ballot):
        motion, ballot, receipt = cast_ballot
        with refused(), transaction.atomic():
            Ballot.objects.filter(pk=ballot.pk).update(option=options(motion)[2])
        with refused(), transaction.atomic():
            Ballot.objects.all().delete()
        with refused(), transaction.atomic():
            BallotReceipt.objects.all().delete()
        assert Ballot.objects.get().option == options(motion)[0]
        assert BallotReceipt.objects.count() == 1

    def test_ballots_are_still_cast(self, cast_ballot, make_rep, make_motion):
        person = make_rep()
        motion = make_motion(MotionState.OPEN)
        vote(motion, person, 1)
        assert Ballot.objects.filter(motion=motion).count() == 1


# --- Many at once -----------------------------------------------------------------------

THREADS = 10
REPRESENTATIVES = 20


def all_at_once(work, arguments):
    """Run ``work(argument)`` for each argument, each in its own thread and database
    connection, all released together. Returns what each returned or raised."""
    start = threading.Barrier(len(arguments), timeout=30)

    def run(argument):
        try:
            start.wait()
            return work(argument)
        except Exception as error:  # noqa: BLE001 - each outcome is inspected by the test
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        futures = [pool.submit(run, argument) for argument in arguments]
        return [future.result(timeout=120) for future in futures]


# serialized_rollback: the data migrations wrote (the site, the roles) is back for later
# tests once these flush the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestConcurrency:
    @pytest.fixture
    def setting(self):
        clerk = UserFactory(username="clerk", groups=[roles.MEETING_CLERKS])
        people = PersonFactory.create_batch(REPRESENTATIVES)
        motion = MotionFactory(title="关于同时投票的表决")
        perform(motion, "open", clerk)
        self.clerk = clerk
        return motion, people, [option.pk for option in options(motion)]

    def test_one_representative_casting_many_times_at_once(self, setting):
        motion, people, option_ids = setting
        person = people[0]

        def attempt(number):
            return cast(motion.pk, person, option_ids[number % len(option_ids)])

        outcomes = all_at_once(attempt, list(range(THREADS)))

        errors = [o for o in outcomes if isinstance(o, Exception)]
        accepted = [o for o in outcomes if not isinstance(o, Exception)]
        assert all(isinstance(error, VoteRefused) for error in errors), errors
        assert {str(error.message) for error in errors} == {str(ALREADY_VOTED)}
        assert len(accepted) == 1
        assert len(errors) == THREADS - 1
        assert Ballot.objects.filter(motion=motion).count() == 1
        assert BallotReceipt.objects.filter(motion=motion, person=person).count() == 1
        assert Ballot.objects.get(motion=motion).option_id == accepted[0].pk

    def test_many_representatives_at_once(self, setting):
        motion, people, option_ids = setting

        def attempt(number):
            return cast(motion.pk, people[number], option_ids[number % len(option_ids)])

        outcomes = all_at_once(attempt, list(range(REPRESENTATIVES)))

        assert not [o for o in outcomes if isinstance(o, Exception)]
        assert Ballot.objects.filter(motion=motion).count() == REPRESENTATIVES
        assert set(BallotReceipt.objects.values_list("person", flat=True)) == {
            person.pk for person in people
        }
        result = tally(Motion.objects.get(pk=motion.pk))
        assert [count.votes for count in result.counts] == [7, 7, 6]

    def test_a_paper_ballot_handed_out_while_the_vote_closes(self, setting):
        """The close waits for a hall attendance being recorded, then sees its uncounted
        paper ballot and refuses: no receipt lands in a closed vote."""
        _, people, _ = setting
        motion = MotionFactory(title="关于会场发票的表决", secret=True)
        perform(motion, "open", self.clerk)
        recorded, release = threading.Event(), threading.Event()

        def hand_out():
            try:
                with transaction.atomic():
                    record_attendance(motion.pk, people[0])
                    recorded.set()
                    # Holding the vote's row, as a slow attendance would.
                    release.wait(timeout=30)
            finally:
                connection.close()

        def close():
            recorded.wait(timeout=30)
            try:
                return perform(Motion.objects.get(pk=motion.pk), "close", self.clerk)
            except Exception as error:  # noqa: BLE001 - the outcome is inspected by the test
                return error
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            handing = pool.submit(hand_out)
            closing = pool.submit(close)
            recorded.wait(timeout=30)
            # The close is now waiting for the row; let the attendance commit.
            time.sleep(1)
            assert not closing.done(), "the close did not wait for the hall"
            release.set()
            handing.result(timeout=60)
            outcome = closing.result(timeout=60)

        assert isinstance(outcome, TransitionRefused), outcome
        assert Motion.objects.get(pk=motion.pk).state == MotionState.OPEN
        assert BallotReceipt.objects.filter(motion=motion, channel="hall").count() == 1

    def test_casting_while_the_vote_closes(self, setting):
        """A close racing the ballots: every ballot either counts or is refused as closed."""
        motion, people, option_ids = setting
        clerk = self.clerk

        def attempt(number):
            if number == REPRESENTATIVES:
                return perform(Motion.objects.get(pk=motion.pk), "close", clerk)
            return cast(motion.pk, people[number], option_ids[0])

        outcomes = all_at_once(attempt, list(range(REPRESENTATIVES + 1)))

        ballots = outcomes[:REPRESENTATIVES]
        errors = [o for o in ballots if isinstance(o, Exception)]
        assert all(isinstance(error, VoteRefused) for error in errors), errors
        assert not isinstance(outcomes[-1], Exception), outcomes[-1]
        assert Motion.objects.get(pk=motion.pk).state == MotionState.CLOSED
        accepted = len(ballots) - len(errors)
        assert Ballot.objects.filter(motion=motion).count() == accepted
        assert BallotReceipt.objects.filter(motion=motion).count() == accepted
