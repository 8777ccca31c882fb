"""Casting ballots: the one place a ballot is written, online or by the clerk's roll call;
and closing the ballot box (``close_ballot_box``), the one place ballots are rewritten."""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.database import allow_rewrite

from .models import Ballot, BallotChannel, BallotReceipt, HallCount, Motion, MotionState


class VoteRefused(Exception):
    """A ballot that cannot be cast; ``message`` says why, for the voter."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


NOT_OPEN = _("This vote is not open.")
CLOSED = _("This vote has closed; no more ballots are taken.")
NOT_ELIGIBLE = _("You are not on the roll of this vote.")
ALREADY_VOTED = _("You have already voted on this. A ballot cannot be changed.")
BAD_OPTION = _("Choose one of the options.")


def cast(motion_id, person, option_id, *, channel=BallotChannel.ONLINE, recorded_by=None):
    """Record ``person``'s ballot for ``option_id``; raise ``VoteRefused`` with the reason.

    The motion's row is locked for the length of the transaction, so a close can never slip
    between the check and the ballot; the unique receipt makes a second ballot fail even
    when two arrive at once.
    """
    try:
        with transaction.atomic():
            motion = Motion.objects.select_for_update().get(pk=motion_id)
            option = _acceptable(motion, person, option_id)
            BallotReceipt.objects.create(
                motion=motion, person=person, channel=channel, recorded_by=recorded_by
            )
            Ballot.objects.create(
                motion=motion,
                option=option,
                voter=None if motion.secret else person,
                cast_at=None if motion.secret else timezone.now(),
            )
    except IntegrityError as error:
        # Another request for the same person won the race for the receipt.
        raise VoteRefused(ALREADY_VOTED) from error
    return option


def check(motion, person, option_id):
    """The option ``person`` would vote for, or ``VoteRefused`` with the reason ``cast``
    would give; nothing is written. The ballot's confirmation step reads its choice back
    through this, so a refusal is said before the voter confirms, not after."""
    return _acceptable(motion, person, option_id)


def _acceptable(motion, person, option_id):
    if motion.state in (MotionState.CLOSED, MotionState.PUBLISHED):
        raise VoteRefused(CLOSED)
    if motion.state != MotionState.OPEN:
        raise VoteRefused(NOT_OPEN)
    if person is None or not motion.roll.filter(person=person).exists():
        raise VoteRefused(NOT_ELIGIBLE)
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    option_text = str(option_id)
    option = (
        motion.options.filter(pk=option_text).first()
        if option_text.isascii() and option_text.isdigit()
        else None
    )
    if option is None:
        raise VoteRefused(BAD_OPTION)
    if BallotReceipt.objects.filter(motion=motion, person=person).exists():
        raise VoteRefused(ALREADY_VOTED)
    return option


# --- The hall of a secret vote: who took a paper ballot, then the counted totals ----------

NOT_SECRET = _("Only a secret vote is counted from paper ballots; record each choice instead.")
HALL_COUNTED = _("The hall's paper ballots have been counted: no more can be handed out.")
COUNT_ENTERED = _("The hall's paper ballots have been counted already; the count is entered once.")
NOTHING_TO_COUNT = _("No paper ballots have been handed out in the hall.")


def _open_for_the_hall(motion_id):
    """The secret motion, locked for the transaction, if the hall may still work on it."""
    motion = Motion.objects.select_for_update().get(pk=motion_id)
    if motion.state in (MotionState.CLOSED, MotionState.PUBLISHED):
        raise VoteRefused(CLOSED)
    if motion.state != MotionState.OPEN:
        raise VoteRefused(NOT_OPEN)
    if not motion.secret:
        raise VoteRefused(NOT_SECRET)
    return motion


def record_attendance(motion_id, person, *, recorded_by=None):
    """``person`` took a paper ballot in the hall of a secret vote: a receipt, no choice.

    The receipt is what keeps them from voting online as well (and refuses them here if they
    have); their choice is only ever in the counted totals (``record_hall_count``).
    """
    try:
        with transaction.atomic():
            motion = _open_for_the_hall(motion_id)
            if not motion.roll.filter(person=person).exists():
                raise VoteRefused(NOT_ELIGIBLE)
            if HallCount.objects.filter(motion=motion).exists():
                raise VoteRefused(HALL_COUNTED)
            if BallotReceipt.objects.filter(motion=motion, person=person).exists():
                raise VoteRefused(ALREADY_VOTED)
            BallotReceipt.objects.create(
                motion=motion, person=person, channel=BallotChannel.HALL, recorded_by=recorded_by
            )
    except IntegrityError as error:
        raise VoteRefused(ALREADY_VOTED) from error


def record_hall_count(motion_id, totals, *, counted_by=None):
    """Enter the counted totals of the hall's paper ballots: ``{option_id: number}``.

    They must add up to the paper ballots handed out; they become ballots with no voter and
    no time, written option by option, so their order says nothing but the totals. One count
    per motion: a second is refused (and by the database, should two arrive at once).
    """
    try:
        with transaction.atomic():
            motion = _open_for_the_hall(motion_id)
            if HallCount.objects.filter(motion=motion).exists():
                raise VoteRefused(COUNT_ENTERED)
            handed_out = motion.paper_ballots_outstanding()
            if handed_out <= 0:
                raise VoteRefused(NOTHING_TO_COUNT)
            options = list(motion.options.order_by("sort_order", "pk"))
            known = {option.pk for option in options}
            if set(totals) - known or any(not isinstance(n, int) or n < 0 for n in totals.values()):
                raise VoteRefused(BAD_OPTION)
            if sum(totals.values()) != handed_out:
                raise VoteRefused(count_mismatch(sum(totals.values()), handed_out))
            HallCount.objects.create(motion=motion, ballots=handed_out, counted_by=counted_by)
            for option in options:
                for _n in range(totals.get(option.pk, 0)):
                    _write_secret_ballot(motion, option)
    except IntegrityError as error:
        raise VoteRefused(COUNT_ENTERED) from error


def count_mismatch(total, handed_out):
    return _(
        "The totals add up to %(total)d; they must add up to the paper ballots handed out: %(handed_out)d."
    ) % {"total": total, "handed_out": handed_out}


def _write_secret_ballot(motion, option):
    # The same row an online secret ballot is: the ballot box's close rewrites them all.
    Ballot.objects.create(motion=motion, option=option, voter=None, cast_at=None)


# --- Closing: the secret ballot box rewritten --------------------------------------------


def canonical_ballots(motion):
    """The motion's ballots in the order that reveals no voting order: by option (as the
    options are listed), then by id. After a secret motion's close this is also the order
    of their ids, and the ballots of one option are identical rows."""
    return motion.ballots.order_by("option__sort_order", "option_id", "pk")


def close_ballot_box(motion):
    """Make a closing motion's ballots final; for a secret motion, unlinkable.

    Called by ``Motion.close`` inside the transaction that saves the close. The motion's row
    is locked first, so a ballot cast at the same moment is either in the box before it is
    rewritten or refused as closed (``cast`` takes the same lock).

    While a secret vote is open, each ballot is written with its receipt in one transaction:
    ids, PostgreSQL's ``xmin`` and the rows' places on disk pair the two. Here every ballot is
    deleted and re-inserted in the canonical order (``canonical_ballots``), each option's
    ballots together, with new ids taken in that order, in this one transaction: afterwards
    ids, order, system columns and places follow the options, not the casting. The deleted
    rows stay in the table's file until PostgreSQL's VACUUM clears them, which runs once the
    close commits (``_vacuum_ballots``); SQLite overwrites them as it deletes
    (``secure_delete``). What stays outside, and the threat model: README, "Ballot secrecy".
    """
    list(Motion.objects.select_for_update().filter(pk=motion.pk).values_list("pk"))
    if not motion.secret:
        return
    box = list(canonical_ballots(motion).values_list("option_id", flat=True))
    if not box:
        return
    connection = transaction.get_connection()
    with allow_rewrite(Ballot), _secure_delete(connection):
        # One DELETE statement, no signals: a receiver handed each old ballot (its id, its
        # option) could write down the very pairing this removes. ``Ballot.delete`` itself
        # refuses, as it should for anything else.
        Ballot.objects.filter(motion=motion)._raw_delete(Ballot.objects.db)
    Ballot.objects.bulk_create(
        Ballot(motion=motion, option_id=option_id, voter=None, cast_at=None) for option_id in box
    )
    if connection.vendor == "postgresql":
        transaction.on_commit(_vacuum_ballots, robust=True)


@contextmanager
def _secure_delete(connection):
    """On SQLite, zero the deleted rows in the file rather than leave them in free space."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA secure_delete = {int(before)}")


def _vacuum_ballots():
    """Clear the dead rows the rewrite left (their system columns and places still pair
    with the receipts). VACUUM cannot run in a transaction: a close inside an outer one (a
    test's) leaves it to autovacuum. Without ownership of the table PostgreSQL skips it
    with a warning; the README says what that leaves."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(Ballot._meta.db_table)}")
