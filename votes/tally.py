"""Counting: computed from the ballots and the roll, never typed in."""

import math
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import POSITIVE, MotionKind, OptionMeaning, Rule


@dataclass
class OptionCount:
    option_id: int
    label: str
    votes: int
    share: float  # of the votes cast, 0..1
    meaning: str = ""  # OptionMeaning, or empty (an election's candidate)


@dataclass
class Result:
    roll: int
    cast: int
    quorum_needed: int
    counts: list = field(default_factory=list)
    winner: OptionCount | None = None
    outcome: str = ""
    # An evaluation's share of ballots "satisfied" or "basically satisfied" (0..1); None for
    # a motion or an election, which pass or elect instead.
    satisfaction: float | None = None

    @property
    def turnout(self):
        return self.cast / self.roll if self.roll else 0.0

    @property
    def quorum_met(self):
        return self.roll > 0 and self.cast >= self.quorum_needed

    @property
    def carried(self):
        return self.winner is not None


def quorum_needed(roll_size, percent):
    """How many of the roll must vote for ``percent`` % to be reached."""
    return math.ceil(roll_size * percent / 100)


def passes(votes, cast, roll, rule):
    """Whether ``votes`` for one option reach the majority ``rule`` asks for."""
    if rule == Rule.TWO_THIRDS:
        return cast > 0 and votes * 3 >= cast * 2
    if rule == Rule.ELIGIBLE:
        return votes * 2 > roll
    return votes * 2 > cast


def counted(motion):
    """What ``motion``'s result is counted from: its ballots by option (``{option pk: votes}``)
    and the size of its roll. Two queries, each reading an index as long as the vote."""
    by_option = dict(
        motion.ballots.values_list("option_id")
        .annotate(n=Count("pk"))
        .values_list("option_id", "n")
    )
    return by_option, motion.roll.count()


def tally(motion, counts=None, options=None):
    """The result of ``motion``: three queries whatever the number of ballots; none given
    ``counts`` (``counted(motion)``, kept from an earlier count) and ``options`` (its options
    in order, already read)."""
    if options is None:
        options = motion.options.order_by("sort_order", "pk")
    options = [(option.pk, option.label, option.meaning) for option in options]
    by_option, roll = counts if counts is not None else counted(motion)
    cast = sum(by_option.values())
    result = Result(roll=roll, cast=cast, quorum_needed=quorum_needed(roll, motion.quorum_percent))
    result.counts = [
        OptionCount(
            pk,
            label,
            by_option.get(pk, 0),
            (by_option.get(pk, 0) / cast) if cast else 0.0,
            meaning,
        )
        for pk, label, meaning in options
    ]
    if motion.kind == MotionKind.EVALUATION:
        # Read by what each option means, not where it is listed.
        positive = sum(c.votes for c in result.counts if c.meaning in POSITIVE)
        result.satisfaction = positive / cast if cast else 0.0
    if not result.quorum_met:
        result.outcome = _("Not valid: the quorum was not reached.")
        return result
    if motion.kind == MotionKind.EVALUATION:
        # An evaluation passes nothing: its result is how satisfied the voters are.
        result.outcome = _(
            "Satisfaction: %(percent)s%% of the ballots say satisfied or basically satisfied."
        ) % {"percent": round(result.satisfaction * 100)}
        return result
    # A motion is carried by the option that means "for", wherever the clerk listed it; an
    # election by its leading candidate.
    if motion.kind == MotionKind.MOTION:
        candidates = [c for c in result.counts if c.meaning == OptionMeaning.FOR][:1]
    else:
        top = max((c.votes for c in result.counts), default=0)
        candidates = [c for c in result.counts if c.votes == top and top > 0]
        if len(candidates) > 1:
            result.outcome = _("No one elected: a tie for the most votes.")
            return result
    if candidates and passes(candidates[0].votes, cast, roll, motion.rule):
        result.winner = candidates[0]
        result.outcome = (
            _("Carried.")
            if motion.kind == MotionKind.MOTION
            else _("Elected: %(name)s.") % {"name": candidates[0].label}
        )
    else:
        result.outcome = (
            _("Not carried.")
            if motion.kind == MotionKind.MOTION
            else _("No one elected: no candidate reached the majority.")
        )
    return result
