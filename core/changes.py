"""What a save means, said around the save rather than stored on the record.

    with recorded_as(opinion, action="transition", detail="approve", reason=reason):
        opinion.save()

Whoever keeps history (the ``audit`` app) asks ``label_for(instance)`` when it writes the
history row of that save, and ``consume(instance)`` once it has: a label names one record
(the very object, not its class or its key) and applies to that record's next history row
only, so that a related record saved in the same block, or a later save of the same record,
is a plain change with no reason of its own. ``core`` only carries the label; it knows
nothing of how history is kept.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# A context variable, not an attribute on the instance: the label cannot outlive the block
# nor be copied with the object, and concurrent requests (threads or tasks) never see each
# other's labels.
_labels = ContextVar("core_changes_labels", default=())


@dataclass
class Label:
    instance: object
    action: str
    detail: str = ""
    reason: str = ""
    used: bool = False


@contextmanager
def recorded_as(instance, *, action, detail="", reason=""):
    """Label the next history row written for ``instance`` inside the block.

    ``action`` is the kind of change ("transition", "restored"), ``detail`` what exactly
    (the transition's name), ``reason`` why, as the person said it (empty: none given here).
    """
    label = Label(instance=instance, action=action, detail=detail, reason=reason or "")
    token = _labels.set((*_labels.get(), label))
    try:
        yield label
    finally:
        _labels.reset(token)


def label_for(instance):
    """The unused label for ``instance`` in the current context, innermost first, or None."""
    for label in reversed(_labels.get()):
        if label.instance is instance and not label.used:
            return label
    return None


def consume(instance):
    """Mark the label for ``instance`` as spent: its history row has been written."""
    label = label_for(instance)
    if label is not None:
        label.used = True
