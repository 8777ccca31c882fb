"""Sealed sets: rows kept outside history, brought inside the audit chain.

Some records are not history rows: ballots and receipts, the roll of a vote, Wagtail's page
revisions. A module registers how to read such a set of rows for one object, in an order
that means nothing (``register``), and seals it when the rows are final (``seal``): the rows
and their digest are kept in a ``Seal``, and the seal gets an entry in the chain like any
history row. ``verify_audit`` reads every registered set again and names the object whose
rows were altered, added or removed since its latest seal, and any object that ought to be
sealed (``expected``) and is not.

    from audit import seals

    seals.register("votes.roll", Motion, roll_rows, expected=motions_opened)
    seals.seal("votes.roll", motion, user=by)

``audit`` imports no module app: the modules register their own sets in ``ready()``.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from . import chain
from .database import site_writes
from .models import Action, Seal


@dataclass(frozen=True)
class SealedSet:
    label: str
    model: type
    # rows(obj) -> the object's rows as dicts, in a canonical order (``plain_rows`` helps).
    rows: Any
    # expected() -> a queryset of the objects that must hold a seal of this set by now.
    expected: Any = None
    # may_vanish(seal) -> True when the sealed object may be gone for a reason the site
    # records elsewhere (a deleted page takes its revisions with it).
    may_vanish: Any = None
    # matches(sealed_rows, current_rows) -> True when a difference is one the site makes
    # itself outside any save (a deleted user account leaves its revisions authorless).
    matches: Any = None
    # check(rows) -> a message when the rows, even as sealed, cannot be right (a ballot box
    # holding more ballots than receipts), else None.
    check: Any = None
    # sealing_late(obj) -> called by ``upgrade_audit`` before it seals an object that was
    # finished before its set was sealed, to do what finishing it does now (a secret ballot
    # box is rewritten, as its close would); True when it changed the rows.
    sealing_late: Any = None


_registry = {}


def register(
    label,
    model,
    rows,
    *,
    expected=None,
    may_vanish=None,
    matches=None,
    check=None,
    sealing_late=None,
):
    """Declare the sealed set ``label``: ``rows(obj)`` reads it for an object of ``model``."""
    _registry[label] = SealedSet(
        label, model, rows, expected, may_vanish, matches, check, sealing_late
    )


def registered():
    return list(_registry.values())


def plain_rows(rows):
    """Rows (dicts, or a ``values()`` queryset) as JSON-ready values, in the order given."""
    return [{name: chain._plain(value) for name, value in row.items()} for row in rows]


def digest(rows):
    return hashlib.sha256(chain._canonical(rows).encode()).hexdigest()


def rows_of(label, obj):
    return plain_rows(_registry[label].rows(obj))


def seal(label, obj, *, user=None, reason=""):
    """Seal the rows of set ``label`` for ``obj`` as they stand now, in the chain."""
    return keep(label, obj, rows_of(label, obj), user=user, reason=reason)


def keep(label, obj, rows, *, user=None, reason=""):
    """Keep ``rows`` (already plain) for ``obj`` under ``label``, with an entry in the chain.

    For a set that is not registered, the rows are a snapshot that nothing recomputes (the
    children of a deleted record, kept for its restore): the chain only keeps them unchanged.
    """
    rows = plain_rows(rows)
    content_type = ContentType.objects.get_for_model(obj)
    with transaction.atomic(), site_writes():
        record = Seal.objects.create(
            label=label,
            content_type=content_type,
            object_id=str(obj.pk),
            rows=rows,
            digest=digest(rows),
        )
        # The entry stands for the seal: it is listed in the History centre as a sealed set,
        # not in the object's own timeline (where it would be one entry too many per row).
        chain.append(
            source=record,
            content_type=ContentType.objects.get_for_model(Seal),
            timestamp=record.sealed_at,
            user_id=user.pk if user is not None and user.is_authenticated else None,
            username=user.get_username() if user is not None and user.is_authenticated else "",
            action=Action.SEALED,
            detail=label,
            object_id=str(record.pk),
            object_repr=f"{obj._meta.verbose_name} #{obj.pk} {obj}",
            reason=reason,
        )
    return record


def latest(label, obj_or_type, object_id=None):
    """The latest seal of ``label`` for an object (or a content type and object id)."""
    if object_id is None:
        content_type = ContentType.objects.get_for_model(obj_or_type)
        object_id = obj_or_type.pk
    else:
        content_type = obj_or_type
    return (
        Seal.objects.filter(label=label, content_type=content_type, object_id=str(object_id))
        .order_by("-id")
        .first()
    )


def _describe(sealed, current):
    """How the rows differ: counts of rows removed and added (an altered row is both)."""
    before = Counter(chain._canonical(row) for row in sealed)
    after = Counter(chain._canonical(row) for row in current)
    removed = sum((before - after).values())
    added = sum((after - before).values())
    return f"{len(sealed)} row(s) sealed, {len(current)} now; {removed} gone or altered, {added} new or altered"


def verify(report_problem, sets=None):
    """Recompute every registered set; call ``report_problem(seal_id, kind, message)``."""
    sets = {s.label: s for s in (registered() if sets is None else sets)}
    # The latest seal of each object of each set.
    latest_ids = {}
    for seal_id, label, type_id, object_id in (
        Seal.objects.filter(label__in=list(sets))
        .order_by("id")
        .values_list("id", "label", "content_type_id", "object_id")
        .iterator()
    ):
        latest_ids[(label, type_id, object_id)] = seal_id
    for (label, _type_id, object_id), seal_id in sorted(latest_ids.items(), key=lambda i: i[1]):
        sealed_set = sets[label]
        record = Seal.objects.get(pk=seal_id)
        model = sealed_set.model
        name = f"{model._meta.label_lower} #{object_id}"
        obj = model._base_manager.filter(pk=object_id).first()
        if obj is None:
            if sealed_set.may_vanish is None or not sealed_set.may_vanish(record):
                report_problem(
                    seal_id,
                    "removed",
                    f"sealed {label} of {name}: the object and its rows were removed",
                )
            continue
        current = rows_of(label, obj)
        wrong = sealed_set.check(current) if sealed_set.check is not None else None
        if wrong:
            report_problem(seal_id, "altered", f"sealed {label} of {name} “{obj}”: {wrong}")
        if digest(current) == record.digest:
            continue
        if sealed_set.matches is not None and sealed_set.matches(record.rows, current):
            continue
        report_problem(
            seal_id,
            "altered",
            f"sealed {label} of {name} “{obj}”: rows were altered, added or removed since it "
            f"was sealed ({_describe(record.rows, current)})",
        )
    for label, sealed_set in sets.items():
        if sealed_set.expected is None:
            continue
        type_id = ContentType.objects.get_for_model(sealed_set.model).pk
        sealed = {
            object_id for (lab, tid, object_id) in latest_ids if lab == label and tid == type_id
        }
        for pk in sealed_set.expected().values_list("pk", flat=True).iterator():
            if str(pk) not in sealed:
                report_problem(
                    None,
                    "inserted",
                    f"{sealed_set.model._meta.label_lower} #{pk} has no seal {label} in the "
                    "chain: its rows were written outside the site, or before the site sealed "
                    "them (then run `manage.py upgrade_audit`)",
                )
