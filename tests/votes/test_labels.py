"""The labels the public lists show of a vote's kind and state say what Django's
``get_kind_display()`` and ``get_state_display()`` say, in each language."""

import pytest

from django.utils import translation

from votes.models import Motion, MotionKind, MotionState


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_kind_and_state_labels_are_the_displays(language):
    with translation.override(language):
        for kind in MotionKind.values:
            for state in MotionState.values:
                motion = Motion(kind=kind, state=state)
                assert motion.kind_label == motion.get_kind_display()
                assert motion.state_label == motion.get_state_display()
        shown = Motion(kind=MotionKind.ELECTION).kind_label
    with translation.override("en"):
        english = Motion(kind=MotionKind.ELECTION).get_kind_display()
    assert (shown == english) == (language == "en")
