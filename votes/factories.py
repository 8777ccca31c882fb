import factory

from .models import Motion, MotionKind, Rule


class MotionFactory(factory.django.DjangoModelFactory):
    """A draft motion (with its default options: for, against, abstain). Move it on with
    ``core.transitions.perform(motion, "open", clerk)``, never by setting its state."""

    kind = MotionKind.MOTION
    title = factory.Sequence(lambda n: f"第{n}号议案")
    description = "提请居民代表会议表决。"
    rule = Rule.SIMPLE
    quorum_percent = 50

    class Meta:
        model = Motion


class HallCountFactory(factory.django.DjangoModelFactory):
    """The clerk's count of a secret vote's paper ballots (tests build it directly)."""

    class Meta:
        model = "votes.HallCount"

    motion = factory.SubFactory(MotionFactory, secret=True)
    ballots = 0
