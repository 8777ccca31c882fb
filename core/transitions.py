"""State changes: named transitions (django-fsm-2), allowed to named roles, recorded.

A model declares each transition once, with the words people see beside it::

    @transition(
        field=state,
        source=DutyRecordState.IN_PROGRESS,
        target=DutyRecordState.RESOLVED,
        permission=HANDLE,
        conditions=[has_answer, has_result],
        custom={
            "label": _("Resolve"),
            "refused": _("Write the answer to the resident and the result first."),
        },
    )
    def resolve(self, by=None): ...

``custom`` (django-fsm-2's own place for such data) holds:

- ``label``: the words on the button and the confirmation page. A transition with a label
  is offered in the admin (``core.transition_views``); one without is for code only.
- ``refused`` (optional): why the transition's conditions refuse it, said to the person
  who tried.
- ``blockers`` (optional): the name of a method of the model returning, in words, every
  reason the transition cannot run now (an empty list when it can). The confirmation page
  lists them instead of offering the step.
- ``reason_required`` (optional): the step needs its reason (a correction, a reopening);
  ``perform`` refuses it without one and the confirmation page asks for it.
- ``form`` (optional): the form of a step that takes more than the reason (the cadre a
  shift is reassigned to, the corrected time), as a dotted path or a class; see
  ``core.transition_views.TransitionForm``. Its values reach the transition as keyword
  arguments: ``perform(record, "correct_received_at", user, reason=..., received_at=...)``.
  A transition that keeps the reason itself (a correction shown on the page) takes a
  ``reason`` argument, and ``perform`` passes it on.

A step that corrects a record without changing its state is a transition whose target is
``None`` (django-fsm leaves the state as it is): its source states say when it is possible.
A step on a record that has no state of its own (a shift of a published roster) is declared
with ``step`` instead, in the same words, ``available`` (a function of the record) saying
when it is possible::

    @step(
        permission=PUBLISH_ROSTER,
        available=in_a_published_roster,
        custom={"label": _("Reassign the shift"), "reason_required": True, "form": ...},
    )
    def reassign(self, by=None, person=None): ...

Both are offered, confirmed and recorded alike.

The permissions are granted to groups in ``core.roles``. Views never set a state field:
they call ``perform``, which checks the transition is possible from the current state and
allowed to the user, runs it, and saves, so that the history row is labelled with the
transition's name, the user and the reason (``core.changes``).
"""

import inspect
from functools import cache

from django_fsm import Transition, TransitionNotAllowed, can_proceed

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .changes import recorded_as


class TransitionRefused(Exception):
    """The transition is not possible from the record's current state."""


class ReasonRequired(ValueError):
    """The transition declares ``reason_required`` and was given no reason."""


class Step(Transition):
    """What ``step`` declares: a transition of no state field, possible while
    ``available(record)`` is true (always when it is None)."""

    def __init__(self, method, available, conditions, permission, custom):
        super().__init__(method, None, None, None, conditions, permission, custom)
        self.available = available


def step(*, permission, available=None, conditions=None, custom=None):
    """Declare a recorded step on a model without a state: see the module's docstring."""

    def decorate(method):
        method._recorded_step = Step(method, available, conditions, permission, custom)
        return method

    return decorate


def perform(instance, name, user, reason="", **kwargs):
    """Run the transition ``name`` on ``instance`` as ``user``, and save it.

    Raises ``PermissionDenied`` if the user's roles do not allow it and
    ``TransitionRefused`` if the record's state does not.
    """
    method = getattr(instance, name, None)
    if method is None or not _declarations(instance, name):
        raise ValueError(f"{type(instance).__name__} has no transition named {name!r}")
    # The roles are asked whatever the state now (django-fsm's own check is False for a
    # transition the state does not offer): a moderator who may approve but meets an opinion
    # approved already is told the state refuses, not that they lack permission.
    if not may_make(instance, name, user):
        raise PermissionDenied(name)
    if not can_run(instance, name):
        raise TransitionRefused(name)
    if declared(instance, name, "reason_required") and not (reason or "").strip():
        raise ReasonRequired(name)
    if "reason" in inspect.signature(method).parameters:
        kwargs["reason"] = reason
    with transaction.atomic():
        _hold(instance)
        try:
            method(by=user, **kwargs)
        except TransitionNotAllowed as error:
            raise TransitionRefused(name) from error
        instance._history_user = user
        with recorded_as(instance, action="transition", detail=name, reason=reason):
            instance.save()
    return instance


def _hold(instance):
    """Lock the record's row until the transaction ends, so that the transition's conditions
    (which django-fsm reads again as it runs) and its effects see the same record: a step
    that locks the row too, such as a paper ballot handed out in the hall while the vote
    closes, waits for the other. SQLite serialises writing transactions already
    (``transaction_mode`` IMMEDIATE); there ``select_for_update`` reads plainly."""
    if instance.pk is not None:
        rows = type(instance)._base_manager.select_for_update().filter(pk=instance.pk)
        list(rows.values_list("pk", flat=True))


def may_make(instance, name, user):
    """Whether ``user``'s roles allow the transition ``name`` at all, in any state."""
    return any(t.has_perm(instance, user) for t in _declarations(instance, name))


def is_step(model, name):
    """Whether ``name`` is a ``step`` (no state field) rather than a transition."""
    return hasattr(getattr(model, name, None), "_recorded_step")


def state_allows(instance, name):
    """Whether the record's state (for a ``step``: its ``available``) allows ``name`` now,
    whatever its conditions say."""
    method = getattr(instance, name)
    if is_step(instance, name):
        available = method._recorded_step.available
        return available is None or bool(available(instance))
    return can_proceed(method, check_conditions=False)


def can_run(instance, name):
    """Whether ``name`` may run now: the state allows it and its conditions are met."""
    if is_step(instance, name):
        conditions = getattr(instance, name)._recorded_step.conditions
        return state_allows(instance, name) and all(c(instance) for c in conditions)
    return can_proceed(getattr(instance, name))


def allowed_transitions(instance, user, field="state"):
    """The names of the transitions ``user`` may run on ``instance`` now."""
    available = getattr(instance, f"get_available_user_{field}_transitions")
    return [transition.name for transition in available(user)]


def _declarations(model, name):
    method = getattr(model, name, None)
    if hasattr(method, "_recorded_step"):
        return [method._recorded_step]
    meta = getattr(method, "_django_fsm", None)
    return list(meta.transitions.values()) if meta is not None else []


def declared(model, name, key, default=None):
    """What the transition ``name`` of ``model`` (a class or an instance) declares in
    ``custom`` under ``key``.

    django-fsm keeps one declaration per source state, each with the same ``custom``; the
    first one that declares the key answers.
    """
    for declaration in _declarations(model, name):
        if key in declaration.custom:
            return declaration.custom[key]
    return default


def transition_label(model, name):
    """The words for the transition ``name`` of ``model`` (a class or an instance)."""
    return declared(model, name, "label") or name.replace("_", " ").capitalize()


def labelled_transitions(model):
    """The names of the transitions of ``model`` (a class or an instance) that declare a
    label, the ones the admin offers, in the order the model declares them."""
    return list(_labelled_transitions(model if isinstance(model, type) else type(model)))


@cache
def _labelled_transitions(model):
    # Asked for every listing row and every page header: the class never changes.
    names = {}
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if hasattr(value, "_django_fsm") or hasattr(value, "_recorded_step"):
                names[name] = None
    return tuple(name for name in names if declared(model, name, "label"))


def may_start(instance, name, user):
    """Whether ``user`` is offered the transition ``name`` on ``instance`` now: the state
    allows it and the user's roles do. Its conditions are checked when it runs, and
    explained if they refuse, so that nobody wonders where a button went."""
    return state_allows(instance, name) and may_make(instance, name, user)


def offered_transitions(instance, user):
    """The labelled transitions ``user`` may start on ``instance`` now (``may_start``)."""
    return [name for name in labelled_transitions(instance) if may_start(instance, name, user)]
