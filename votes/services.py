"""Casting ballots: the one place a ballot is written, online or by the clerk's roll call."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Ballot, BallotChannel, BallotReceipt, Motion, MotionState


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
