"""What the opinion tests share: a topic that takes opinions, people in every role, and
opinions moved into a given state the only way the site allows (named transitions)."""

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogKind
from core.transitions import perform
from opinions.factories import OpinionFactory
from opinions.models import OpinionState

# How an opinion reaches each state from pending.
STEPS = {
    OpinionState.PENDING: [],
    OpinionState.APPROVED: ["approve"],
    OpinionState.PROMOTED: ["approve", "promote"],
    OpinionState.REJECTED: ["reject"],
    OpinionState.SPAM: ["mark_spam"],
}

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def topic(db):
    return BlogPageFactory(kind=BlogKind.TOPIC, title="小区停车难，大家怎么看？", slug="parking")


@pytest.fixture
def make_opinion(superuser):
    """``make_opinion("approved", page=topic, body=...)``: an opinion brought to that state."""

    def make(state=OpinionState.PENDING, *, by=superuser, **fields):
        opinion = OpinionFactory(**fields)
        for name in STEPS[state]:
            perform(opinion, name, by)
        return opinion

    return make
