"""Counting: quorum against the roll, each majority rule, elections and evaluations.

Every figure is computed from the ballots and the roll snapshot; the cases sit exactly on
the thresholds (and one short of them), where assembly tools usually go wrong.
"""

import ast
from pathlib import Path

import pytest

from django.utils import translation

from people.models import Person
from tests.support import ui
from votes import models as votes_models
from votes.models import MotionKind, MotionState, Rule
from votes.services import cast
from votes.tally import passes, quorum_needed
from votes.tally import tally as count

from .conftest import step, vote_pattern

CARRIED = "Carried."
NOT_CARRIED = "Not carried."
NO_QUORUM = "Not valid: the quorum was not reached."


def outcome(result):
    return result.outcome


def tally(motion):
    """The motion's result, its outcome as the site words it in English."""
    with translation.override("en"):
        result = count(motion)
        result.outcome = str(result.outcome)
    return result


@pytest.fixture
def counted(make_reps, make_motion):
    """``counted(roll=10, votes=[for, against, abstain], rule=..., quorum=50)``: a motion
    of ``roll`` eligible people, with those ballots cast, and its result. Each call starts
    a new register, so that one test can compare several counts."""

    def count(*, roll, votes, rule=Rule.SIMPLE, quorum=50, kind=MotionKind.MOTION):
        new_register()
        people = make_reps(roll)
        motion = make_motion(MotionState.OPEN, kind=kind, rule=rule, quorum_percent=quorum)
        vote_pattern(motion, people, votes)
        return tally(motion)

    return count


def new_register():
    """Everyone in the register so far leaves it (the rolls already taken stay as they are)."""
    Person.objects.filter(is_active=True).update(is_active=False)


# --- The rules alone --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "cast", "roll", "rule", "expected"),
    [
        # More than half of the votes cast (abstentions are votes cast).
        (6, 10, 20, Rule.SIMPLE, True),
        (5, 10, 20, Rule.SIMPLE, False),  # exactly half is not more than half
        (4, 7, 7, Rule.SIMPLE, True),
        (3, 7, 7, Rule.SIMPLE, False),
        # At least two-thirds of the votes cast.
        (6, 9, 20, Rule.TWO_THIRDS, True),  # exactly two-thirds
        (5, 9, 20, Rule.TWO_THIRDS, False),
        (7, 10, 20, Rule.TWO_THIRDS, True),
        (6, 10, 20, Rule.TWO_THIRDS, False),  # 60 % is short of two-thirds
        (2, 3, 3, Rule.TWO_THIRDS, True),
        (0, 0, 3, Rule.TWO_THIRDS, False),  # nothing cast carries nothing
        # More than half of the eligible roll, however many voted.
        (6, 6, 10, Rule.ELIGIBLE, True),
        (5, 6, 10, Rule.ELIGIBLE, False),  # 5 of 6 cast, but only half the roll
        (5, 5, 9, Rule.ELIGIBLE, True),
        (4, 9, 9, Rule.ELIGIBLE, False),
    ],
)
def test_passes(votes, cast, roll, rule, expected):
    assert passes(votes, cast, roll, rule) is expected


@pytest.mark.parametrize(
    ("roll", "percent", "needed"),
    [(10, 50, 5), (9, 50, 5), (7, 60, 5), (3, 100, 3), (100, 1, 1), (101, 1, 2), (0, 50, 0)],
)
def test_quorum_needed(roll, percent, needed):
    assert quorum_needed(roll, percent) == needed


# --- Quorum -----------------------------------------------------------------------------


class TestQuorum:
    def test_exactly_at_the_quorum_counts(self, counted):
        result = counted(roll=10, quorum=50, votes=[5, 0, 0])
        assert (result.roll, result.cast, result.quorum_needed) == (10, 5, 5)
        assert result.quorum_met
        assert result.turnout == 0.5
        assert outcome(result) == CARRIED
        assert result.winner.votes == 5

    def test_one_below_the_quorum_decides_nothing(self, counted):
        # Every ballot cast is "for", yet too few voted for the vote to count.
        result = counted(roll=10, quorum=50, votes=[4, 0, 0])
        assert (result.cast, result.quorum_needed) == (4, 5)
        assert not result.quorum_met
        assert result.winner is None
        assert not result.carried
        assert outcome(result) == NO_QUORUM
        # The counts are still shown.
        assert [count.votes for count in result.counts] == [4, 0, 0]

    def test_a_quorum_that_is_not_a_whole_number_rounds_up(self, counted):
        # 60 % of 7 is 4.2: five must vote.
        assert not counted(roll=7, quorum=60, votes=[4, 0, 0]).quorum_met
        assert counted(roll=7, quorum=60, votes=[4, 1, 0]).quorum_met

    def test_abstentions_count_towards_the_quorum(self, counted):
        result = counted(roll=10, quorum=50, votes=[1, 0, 4])
        assert result.quorum_met
        assert outcome(result) == NOT_CARRIED

    def test_a_full_quorum(self, counted):
        assert not counted(roll=4, quorum=100, votes=[3, 0, 0]).quorum_met
        assert counted(roll=4, quorum=100, votes=[3, 0, 1]).quorum_met

    def test_an_empty_roll_never_reaches_a_quorum(self, make_motion):
        result = tally(make_motion(MotionState.CLOSED))
        assert (result.roll, result.cast) == (0, 0)
        assert not result.quorum_met
        assert result.turnout == 0.0
        assert outcome(result) == NO_QUORUM


# --- Majority rules ---------------------------------------------------------------------


class TestSimpleMajority:
    def test_more_than_half_of_the_votes_cast_carries(self, counted):
        result = counted(roll=10, votes=[4, 1, 1])
        assert outcome(result) == CARRIED
        assert result.carried
        assert result.winner.label == "赞成"

    def test_exactly_half_does_not_carry(self, counted):
        assert outcome(counted(roll=10, votes=[3, 3, 0])) == NOT_CARRIED

    def test_abstentions_are_votes_cast(self, counted):
        # 3 for, 1 against: a majority of for-and-against, but not of the votes cast.
        result = counted(roll=10, votes=[3, 1, 2])
        assert result.cast == 6
        assert outcome(result) == NOT_CARRIED
        assert result.winner is None

    def test_shares_are_of_the_votes_cast(self, counted):
        result = counted(roll=10, votes=[4, 1, 3])
        assert [round(count.share, 3) for count in result.counts] == [0.5, 0.125, 0.375]


class TestTheMeaningDecides:
    def test_reordering_the_options_changes_no_outcome(self, make_reps, make_motion, clerk):
        """ "For" is the option that means it, not the first listed: a clerk who lists
        "against" first, before opening, gets the same result."""
        outcomes = []
        for order in ([0, 1, 2], [1, 2, 0]):
            new_register()
            people = make_reps(10)
            motion = make_motion(MotionState.DRAFT)
            for option, sort_order in zip(
                motion.options.order_by("sort_order"), order, strict=True
            ):
                option.sort_order = sort_order
                option.save()
            motion = step(motion, "open", by=clerk)
            for_, against, abstain = (
                motion.options.get(meaning=meaning) for meaning in ("for", "against", "abstain")
            )
            for person, option in zip(people, [for_] * 6 + [against] * 3 + [abstain], strict=True):
                cast(motion.pk, person, option.pk)
            result = tally(motion)
            outcomes.append((outcome(result), result.winner.label))
        assert outcomes == [(CARRIED, "赞成"), (CARRIED, "赞成")]

    def test_a_motion_with_no_option_for_is_not_carried(self, make_reps, make_motion, clerk):
        people = make_reps(4)
        motion = make_motion(MotionState.DRAFT)
        motion.options.update(meaning="")
        motion = step(motion, "open", by=clerk)
        vote_pattern(motion, people, [4])
        assert outcome(tally(motion)) == NOT_CARRIED


class TestTwoThirds:
    def test_exactly_two_thirds_carries(self, counted):
        result = counted(roll=12, rule=Rule.TWO_THIRDS, votes=[6, 3, 0])
        assert outcome(result) == CARRIED

    def test_one_short_of_two_thirds_does_not_carry(self, counted):
        assert outcome(counted(roll=12, rule=Rule.TWO_THIRDS, votes=[5, 3, 0])) == NOT_CARRIED

    def test_a_simple_majority_is_not_enough(self, counted):
        # 60 % for: carried under a simple majority, not under two-thirds.
        assert outcome(counted(roll=10, rule=Rule.SIMPLE, votes=[6, 4, 0])) == CARRIED
        assert outcome(counted(roll=10, rule=Rule.TWO_THIRDS, votes=[6, 4, 0])) == NOT_CARRIED

    def test_abstentions_are_votes_cast(self, counted):
        # Nobody against: 6 of 9 is two-thirds, 6 of 10 is short of it once abstentions count.
        assert outcome(counted(roll=12, rule=Rule.TWO_THIRDS, votes=[6, 0, 3])) == CARRIED
        assert outcome(counted(roll=12, rule=Rule.TWO_THIRDS, votes=[6, 0, 4])) == NOT_CARRIED


class TestMajorityOfTheRoll:
    def test_more_than_half_of_the_roll_carries(self, counted):
        assert outcome(counted(roll=10, rule=Rule.ELIGIBLE, votes=[6, 0, 0])) == CARRIED

    def test_half_of_the_roll_does_not_carry_however_few_are_against(self, counted):
        result = counted(roll=10, rule=Rule.ELIGIBLE, votes=[5, 1, 0])
        assert result.quorum_met
        assert outcome(result) == NOT_CARRIED
        # The same ballots carry under a simple majority.
        assert outcome(counted(roll=10, rule=Rule.SIMPLE, votes=[5, 1, 0])) == CARRIED

    def test_an_odd_roll(self, counted):
        assert outcome(counted(roll=9, rule=Rule.ELIGIBLE, votes=[5, 0, 0])) == CARRIED
        assert outcome(counted(roll=9, rule=Rule.ELIGIBLE, votes=[4, 1, 0])) == NOT_CARRIED


# --- Elections --------------------------------------------------------------------------


@pytest.fixture
def election(make_rep, make_reps, make_motion):
    """``election(votes=[a, b, c], roll=10, rule=...)``: three candidates, the result."""

    def elect(*, votes, roll=10, rule=Rule.SIMPLE, quorum=50):
        new_register()
        candidates = [
            make_rep(account=False, name=name, is_representative=False, is_cadre=True)
            for name in ("甲候选人", "乙候选人", "丙候选人")
        ]
        voters = make_reps(roll)
        motion = make_motion(
            MotionState.OPEN, candidates=candidates, rule=rule, quorum_percent=quorum
        )
        vote_pattern(motion, voters, votes)
        return tally(motion)

    return elect


class TestElections:
    def test_the_leader_reaching_the_majority_is_elected(self, election):
        result = election(votes=[4, 2, 1])
        assert result.winner.label == "甲候选人"
        assert outcome(result) == ui("en", "Elected: %(name)s.", name="甲候选人")

    def test_a_leader_short_of_the_majority_is_not_elected(self, election):
        # 3 of 7 leads, but is not more than half of the votes cast.
        result = election(votes=[3, 2, 2])
        assert result.winner is None
        assert outcome(result) == ui("en", "No one elected: no candidate reached the majority.")

    def test_a_later_candidate_can_win(self, election):
        result = election(votes=[1, 1, 5])
        assert result.winner.label == "丙候选人"

    def test_a_tie_for_the_most_votes_elects_no_one(self, election):
        result = election(votes=[3, 3, 0])
        assert result.winner is None
        assert outcome(result) == ui("en", "No one elected: a tie for the most votes.")

    def test_a_tie_under_the_roll_rule_elects_no_one(self, election):
        result = election(votes=[3, 3, 0], roll=6, rule=Rule.ELIGIBLE)
        assert result.winner is None
        assert outcome(result) == ui("en", "No one elected: a tie for the most votes.")

    def test_two_thirds_in_an_election(self, election):
        assert election(votes=[4, 2, 0], rule=Rule.TWO_THIRDS).winner.label == "甲候选人"
        assert election(votes=[4, 2, 1], rule=Rule.TWO_THIRDS).winner is None

    def test_the_roll_rule_in_an_election(self, election):
        assert election(votes=[6, 1, 0], rule=Rule.ELIGIBLE).winner.label == "甲候选人"
        assert election(votes=[5, 1, 0], rule=Rule.ELIGIBLE).winner is None

    def test_no_quorum_elects_no_one(self, election):
        result = election(votes=[4, 0, 0], roll=10)
        assert result.winner is None
        assert outcome(result) == NO_QUORUM


# --- Evaluations ------------------------------------------------------------------------


def test_an_evaluation_is_counted_not_carried(make_rep, make_reps, make_motion):
    cadre = make_rep(account=False, is_representative=False, is_cadre=True)
    people = make_reps(6)
    motion = make_motion(MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre)
    vote_pattern(motion, people, [3, 2, 1])
    result = tally(motion)
    assert [(count.label, count.votes) for count in result.counts] == [
        ("满意", 3),
        ("基本满意", 2),
        ("不满意", 1),
    ]
    assert result.quorum_met
    assert result.winner is None
    # Not "carried", not "counted": how satisfied the voters are, by the options' meaning.
    assert result.satisfaction == 5 / 6
    assert outcome(result) == ui(
        "en",
        "Satisfaction: %(percent)s%% of the ballots say satisfied or basically satisfied.",
        percent=83,
    )


def test_an_evaluation_short_of_its_quorum_is_not_valid(make_rep, make_reps, make_motion):
    cadre = make_rep(account=False, is_representative=False, is_cadre=True)
    people = make_reps(6)
    motion = make_motion(
        MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre, quorum_percent=60
    )
    vote_pattern(motion, people, [2, 1, 0])
    assert outcome(tally(motion)) == NO_QUORUM


def test_counting_reads_the_models_and_the_models_never_count():
    """One way only: ``votes.tally`` imports the models; the models import no counting."""
    imported = set()
    for node in ast.walk(ast.parse(Path(votes_models.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {name for name in imported if "tally" in name}
    assert not hasattr(votes_models.Motion, "tally")
