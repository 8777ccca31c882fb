"""``core.choices.choice_label`` says what Django's ``get_FOO_display()`` says, in each
language, and shows a value no longer among the choices as stored, never an error."""

import pytest

from django.utils import translation

from blog.models import BlogKind, BlogPage
from core.choices import choice_label
from votes.models import Motion, MotionKind


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_label_is_the_display_in_the_readers_language(language):
    with translation.override(language):
        for kind in BlogKind.values:
            assert choice_label(BlogKind, kind) == BlogPage(kind=kind).get_kind_display()
        shown = choice_label(MotionKind, MotionKind.ELECTION)
    with translation.override("en"):
        english = str(MotionKind.ELECTION.label)
    assert (shown == english) == (language == "en")
    assert isinstance(shown, str)


def test_a_value_no_longer_offered_shows_as_stored():
    assert choice_label(BlogKind, "retired-kind") == "retired-kind"
    motion = Motion(kind="referendum", state="archived")
    assert motion.kind_label == motion.get_kind_display() == "referendum"
    assert motion.state_label == motion.get_state_display() == "archived"
