"""The vote tables in the audit chain (``audit.seals``).

- The roll is sealed when the motion opens ("votes.roll"): a person added to or removed
  from it afterwards is found by ``verify_audit``.
- The ballot box is sealed when the motion closes ("votes.ballot_box"), after a secret
  box is rewritten (``services.close_ballot_box``): its ballots in the order of the options,
  then by id (an order that says nothing about who voted when), and its receipts by person.
  A ballot altered, added or removed after the close, which would change a published
  result, is found and the motion named; so is a box whose ballots do not number its
  receipts (a ballot slipped in, or a receipt removed or forged, while the vote was open).

Nothing is chained as ballots are cast, not even the receipt: an entry per vote, written
beside the ballot, would pair the two by the chain's own order and times.
"""

from audit import seals

from .models import BallotReceipt, Motion, MotionState, RollEntry

ROLL = "votes.roll"
BALLOT_BOX = "votes.ballot_box"


def roll_rows(motion):
    return RollEntry.objects.filter(motion=motion).order_by("person_id").values()


def ballot_box_rows(motion):
    ballots = motion.ballots.order_by("option__sort_order", "option_id", "pk").values()
    receipts = BallotReceipt.objects.filter(motion=motion).order_by("person_id").values()
    return [{"ballot": row} for row in ballots] + [{"receipt": row} for row in receipts]


def ballots_match_receipts(rows):
    """Every receipt stands for one ballot (a hall's paper ballots are counted to the number
    handed out before the close), so a box with more or fewer ballots was stuffed."""
    ballots = sum(1 for row in rows if "ballot" in row)
    receipts = sum(1 for row in rows if "receipt" in row)
    if ballots != receipts:
        return f"it holds {ballots} ballot(s) for {receipts} receipt(s)"
    return None


def rewrite_secret_box(motion):
    """A box closed before boxes were rewritten, sealed late by ``upgrade_audit``: a secret
    one is rewritten first, as its close now does, so that nothing pairs its ballots with
    their receipts (``services.close_ballot_box``). True when it was rewritten."""
    from .services import close_ballot_box

    if not motion.secret or not motion.ballots.exists():
        return False
    close_ballot_box(motion)
    return True


def seal_roll(motion, by=None):
    seals.seal(ROLL, motion, user=by)


def seal_ballot_box(motion, by=None):
    seals.seal(BALLOT_BOX, motion, user=by)


def _plain(rows):
    # ``values()`` rows nested in dicts: make them plain like the top level ones.
    return [{key: seals.plain_rows([value])[0] for key, value in row.items()} for row in rows]


def connect():
    seals.register(
        ROLL,
        Motion,
        roll_rows,
        expected=lambda: Motion.objects.exclude(state=MotionState.DRAFT),
    )
    seals.register(
        BALLOT_BOX,
        Motion,
        lambda motion: _plain(ballot_box_rows(motion)),
        expected=lambda: Motion.objects.filter(
            state__in=(MotionState.CLOSED, MotionState.PUBLISHED)
        ),
        check=ballots_match_receipts,
        sealing_late=rewrite_secret_box,
    )
