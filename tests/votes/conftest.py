"""What the votes tests share: representatives with accounts, a clerk, motions moved through
their states the only way the site allows (named transitions), and ballots cast through
``votes.services.cast``."""

import pytest

from core import roles
from core.transitions import perform
from people.factories import PersonFactory, UserFactory
from votes.factories import MotionFactory
from votes.models import MotionKind, MotionOption, MotionState
from votes.services import cast

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}

# How a draft motion reaches each state.
STEPS = {
    MotionState.DRAFT: [],
    MotionState.OPEN: ["open"],
    MotionState.CLOSED: ["open", "close"],
    MotionState.PUBLISHED: ["open", "close", "publish_results"],
}


def options(motion):
    return list(motion.options.order_by("sort_order", "pk"))


def step(motion, *names, by):
    for name in names:
        perform(motion, name, by)
    return motion


def vote(motion, person, index, **kwargs):
    """``person`` casts a ballot for the motion's option number ``index``."""
    return cast(motion.pk, person, options(motion)[index].pk, **kwargs)


def vote_pattern(motion, people, votes):
    """Cast ``votes[i]`` ballots for option ``i``, by the people in order; return who voted."""
    voters = iter(people)
    voted = []
    for index, count in enumerate(votes):
        for _ in range(count):
            person = next(voters)
            vote(motion, person, index)
            voted.append(person)
    return voted


@pytest.fixture
def make_rep(db):
    """``make_rep(name="王建国")``: a resident representative in the register with a login
    account in the Representatives group (``account=False``: none)."""

    def make(account=True, **fields):
        fields.setdefault("is_representative", True)
        if account:
            fields["user"] = UserFactory(groups=[roles.REPRESENTATIVES])
        return PersonFactory(**fields)

    return make


@pytest.fixture
def make_reps(make_rep):
    def make(count, **fields):
        return [make_rep(**fields) for _ in range(count)]

    return make


@pytest.fixture
def make_motion(clerk):
    """``make_motion(MotionState.OPEN, kind=..., rule=...)``: a motion brought to that state by the
    clerk. ``candidates=[person, ...]`` makes an election's options."""

    def make(state=MotionState.DRAFT, *, candidates=None, **fields):
        if candidates is not None:
            fields.setdefault("kind", MotionKind.ELECTION)
        motion = MotionFactory(**fields)
        for order, person in enumerate(candidates or []):
            MotionOption.objects.create(
                motion=motion, label=person.name, candidate=person, sort_order=order
            )
        return step(motion, *STEPS[state], by=clerk)

    return make
