"""``votes.api.evaluation_summary``: what the duty module's assessment reads of the year-end
evaluation — the published evaluations of one cadre, added up."""

import datetime

import pytest
import time_machine

from django.utils import timezone

from votes.api import evaluation_summaries, evaluation_summary
from votes.models import MotionKind, MotionState

from .conftest import STEPS, step, vote_pattern


@pytest.fixture
def cadres(make_rep):
    return (
        make_rep(account=False, name="周干部", is_representative=False, is_cadre=True),
        make_rep(account=False, name="吴干部", is_representative=False, is_cadre=True),
    )


@pytest.fixture
def evaluate(make_reps, make_motion, clerk):
    """``evaluate(cadre, [satisfied, basically, dissatisfied], state=...)``."""
    voters = make_reps(12)

    def make(cadre, votes, state=MotionState.PUBLISHED):
        motion = make_motion(
            MotionState.OPEN, kind=MotionKind.EVALUATION, subject=cadre, secret=True
        )
        vote_pattern(motion, voters, votes)
        return step(motion, *STEPS[state][1:], by=clerk)

    return make


def test_published_evaluations_of_one_cadre_are_added_up(cadres, evaluate):
    zhou, wu = cadres
    evaluate(zhou, [5, 2, 1])
    evaluate(zhou, [3, 3, 2])
    evaluate(zhou, [0, 0, 9], state=MotionState.CLOSED)  # not published: not counted
    evaluate(zhou, [0, 0, 9], state=MotionState.OPEN)
    evaluate(wu, [0, 1, 9])  # another cadre's

    summary = evaluation_summary(zhou)
    assert summary["counts"] == [("满意", 8), ("基本满意", 5), ("不满意", 3)]
    assert summary["ballots"] == 16
    assert summary["satisfaction"] == pytest.approx(13 / 16)

    other = evaluation_summary(wu)
    assert other["counts"] == [("基本满意", 1), ("不满意", 9)]
    assert other["ballots"] == 10
    assert other["satisfaction"] == pytest.approx(0.1)


def test_none_without_a_published_evaluation(cadres, evaluate):
    zhou, wu = cadres
    assert evaluation_summary(zhou) is None
    evaluate(zhou, [4, 1, 1], state=MotionState.CLOSED)
    assert evaluation_summary(zhou) is None


def test_only_evaluations_count(cadres, evaluate, make_reps, make_motion, clerk):
    """A motion or an election about nothing in particular never adds to a cadre's figures."""
    zhou, _wu = cadres
    evaluate(zhou, [1, 1, 0])
    voters = make_reps(3)
    election = make_motion(MotionState.OPEN, candidates=list(cadres))
    vote_pattern(election, voters, [3, 0])
    step(election, "close", "publish_results", by=clerk)
    assert evaluation_summary(zhou)["ballots"] == 2


def test_by_year(cadres, evaluate):
    zhou, _wu = cadres
    evaluate(zhou, [4, 1, 1])
    this_year = timezone.localdate().year
    assert evaluation_summary(zhou, year=this_year)["ballots"] == 6
    assert evaluation_summary(zhou, year=this_year - 1) is None


def test_the_year_is_the_year_it_closed(cadres, evaluate, clerk):
    zhou, _wu = cadres
    year = timezone.localdate().year - 1
    last_december = timezone.make_aware(datetime.datetime(year, 12, 30, 10))
    motion = evaluate(zhou, [2, 0, 0], state=MotionState.OPEN)
    with time_machine.travel(last_december, tick=False):
        step(motion, "close", by=clerk)
    step(motion, "publish_results", by=clerk)  # published this year
    assert evaluation_summary(zhou, year=year)["ballots"] == 2
    assert evaluation_summary(zhou, year=year + 1) is None


def test_satisfaction_follows_the_meaning_not_the_order(cadres, evaluate, clerk):
    """A clerk who lists "dissatisfied" first changes nothing: the count reads what each
    option means."""
    zhou, _wu = cadres
    motion = evaluate(zhou, [5, 2, 1], state=MotionState.OPEN)
    satisfied, basically, dissatisfied = motion.options.order_by("sort_order")
    for order, option in enumerate((dissatisfied, basically, satisfied)):
        option.sort_order = order
        option.save()
    step(motion, "close", "publish_results", by=clerk)
    summary = evaluation_summary(zhou)
    assert summary["counts"] == [("不满意", 1), ("基本满意", 2), ("满意", 5)]
    assert summary["satisfaction"] == pytest.approx(7 / 8)


def test_several_cadres_at_once_as_each_alone(cadres, evaluate, django_assert_num_queries):
    zhou, wu = cadres
    evaluate(zhou, [5, 2, 1])
    evaluate(wu, [0, 1, 9], state=MotionState.CLOSED)  # not published: left out
    year = timezone.localdate().year

    with django_assert_num_queries(1):
        summaries = evaluation_summaries([zhou, wu], year)

    assert summaries == {zhou.pk: evaluation_summary(zhou, year)}
    assert evaluation_summaries([zhou, wu], year - 1) == {}
