"""State changes: named transitions (django-fsm-2), allowed to named roles, recorded.

Models declare their transitions with ``django_fsm.transition(..., permission=...)``; the
permissions are granted to groups in ``core.roles``. Views never set a state field: they
call ``perform``, which checks the transition is possible from the current state and
allowed to the user, runs it, and saves, so that the history row is labelled with the
transition's name, the user and the reason.
"""

from django_fsm import TransitionNotAllowed, can_proceed

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .history import mark_transition


class TransitionRefused(Exception):
    """The transition is not possible from the record's current state."""


def perform(instance, name, user, reason="", **kwargs):
    """Run the transition ``name`` on ``instance`` as ``user``, and save it.

    Raises ``PermissionDenied`` if the user's roles do not allow it and
    ``TransitionRefused`` if the record's state does not.
    """
    method = getattr(instance, name, None)
    if method is None or not hasattr(method, "_django_fsm"):
        raise ValueError(f"{type(instance).__name__} has no transition named {name!r}")
    # The roles are asked whatever the state now (django-fsm's own check is False for a
    # transition the state does not offer): a moderator who may approve but meets an opinion
    # approved already is told the state refuses, not that they lack permission.
    if not may_make(instance, name, user):
        raise PermissionDenied(name)
    if not can_proceed(method):
        raise TransitionRefused(name)
    with transaction.atomic():
        try:
            method(by=user, **kwargs)
        except TransitionNotAllowed as error:
            raise TransitionRefused(name) from error
        mark_transition(instance, name, reason)
        instance._history_user = user
        instance.save()
    return instance


def may_make(instance, name, user):
    """Whether ``user``'s roles allow the transition ``name`` at all, in any state."""
    method = getattr(instance, name)
    return any(t.has_perm(instance, user) for t in method._django_fsm.transitions.values())


def allowed_transitions(instance, user, field="state"):
    """The names of the transitions ``user`` may run on ``instance`` now."""
    available = getattr(instance, f"get_available_user_{field}_transitions")
    return [transition.name for transition in available(user)]
