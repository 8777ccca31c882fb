"""Bringing a database written by an earlier version of the site into the chain
(``manage.py upgrade_audit``).

An earlier version left two kinds of gaps that ``verify_audit`` names after an upgrade:

- **Sets never sealed.** Before seals, page revisions, the roll of every vote opened and the
  ballot box of every vote closed were written with no seal. Each is sealed now, as its rows
  stand: nothing had fixed them before, so what was changed before the upgrade cannot be
  told. A secret ballot box is first rewritten as its close now does (``sealing_late``), and
  a set whose rows cannot be right even as they stand (a box whose ballots do not number its
  receipts) is left unsealed, so that ``verify_audit`` keeps naming it.
- **Entries chained by an earlier rule.** An entry's hash covers a digest of its source row.
  The rule for that digest has grown: it now covers a history row's many-to-many history (an
  inspection's sampled records), and a migration that adds a column to a history table (or
  to Wagtail's log entries) adds that column to the row. An entry chained before no longer
  matches the current digest of its row. If the row, read under the rule of its time (without
  its many-to-many history, without the columns added since), still gives the digest the
  entry was chained with, the entry is *re-chained*: a seal ``audit.rechained`` keeps, for
  each such entry, the digest it was chained with and its row's digest under the current rule.
  ``verify_audit`` then checks the entry against the first and the row against the second. An
  entry whose row gives its digest under no rule was altered behind the site: it is left as
  found, and ``verify_audit`` goes on naming it.

Nothing is rewritten: the chain stays append-only (on PostgreSQL its table refuses UPDATE and
DELETE), and heads saved outside the database still hold. Every write goes through the
recording layer (``seals.keep`` / ``seals.seal``), in one transaction.
"""

import functools
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext

from . import chain, seals
from .models import AuditEntry, Seal

RECHAINED = "audit.rechained"
# An erasure of personal data once its retention period is over (``audit.erasure``) keeps the
# same pairs for the history rows it empties: the digest each entry was chained with, and its
# row's digest once erased.
ERASED = "audit.erased"
# Entries per ``audit.rechained`` seal: one seal per entry would cost a chain entry each.
RECHAINED_PER_SEAL = 1000


def rechained():
    """{entry id: (digest it was chained with, its row's digest when re-chained or erased)},
    from the latest ``audit.rechained`` or ``audit.erased`` seal naming each entry."""
    found = {}
    records = (
        Seal.objects.filter(label__in=(RECHAINED, ERASED))
        .order_by("id")
        .values_list("rows", flat=True)
    )
    for rows in records.iterator():
        for row in rows:
            found[row["entry"]] = (row["chained"], row["digest"])
    return found


# --- Earlier rules ---------------------------------------------------------------------------


def _attname(name, model_field):
    return f"{name}_id" if model_field.many_to_one or model_field.one_to_one else name


@functools.cache
def earlier_columns(model):
    """Every set of columns ``model``'s table has had, by its app's migrations, oldest first."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    app_label, name = model._meta.app_label, model._meta.model_name
    plan = []
    for leaf in loader.graph.leaf_nodes(app_label):
        plan.extend(node for node in loader.graph.forwards_plan(leaf) if node not in plan)
    fields = None
    found = []
    for node in plan:
        if node[0] != app_label:
            continue
        for operation in _state_operations(loader.graph.nodes[node].operations):
            kind = type(operation).__name__
            if kind == "CreateModel" and operation.name_lower == name:
                fields = {
                    field_name: _attname(field_name, f)
                    for field_name, f in operation.fields
                    if not f.many_to_many
                }
            elif kind == "DeleteModel" and operation.name_lower == name:
                fields = None
            elif fields is None or getattr(operation, "model_name_lower", None) != name:
                continue
            elif kind == "AddField" and not operation.field.many_to_many:
                fields[operation.name] = _attname(operation.name, operation.field)
            elif kind == "RemoveField":
                fields.pop(operation.name, None)
            elif kind == "RenameField" and operation.old_name in fields:
                old = fields.pop(operation.old_name)
                fields[operation.new_name] = old.replace(operation.old_name, operation.new_name, 1)
        if fields is not None:
            columns = frozenset(fields.values())
            if columns not in found:
                found.append(columns)
    return found


def _state_operations(operations):
    for operation in operations:
        if type(operation).__name__ == "SeparateDatabaseAndState":
            yield from _state_operations(operation.state_operations)
        else:
            yield operation


def earlier_digests(model, row, attached):
    """The digests ``row`` (with its many-to-many history ``attached``) had under the rules of
    earlier versions: with only the columns its table had at some earlier migration, and, for
    a history row with many-to-many history, without it (the rule before it was covered)."""
    seen = set()
    for columns in [*earlier_columns(model), frozenset(row)]:
        if not columns <= row.keys():
            # A column since removed: the row as it was cannot be read back.
            continue
        narrowed = {name: value for name, value in row.items() if name in columns}
        for with_m2m in (attached, None) if attached is not None else (None,):
            digest = chain._digest(narrowed, with_m2m)
            if digest not in seen:
                seen.add(digest)
                yield digest


def chained_by_earlier_rule(entry, model, row, attached):
    """The digest, under an earlier rule, that ``entry``'s hash was made with; else None."""
    for digest in earlier_digests(model, row, attached):
        if chain.hash_with(entry, digest) == entry.hash:
            return digest
    return None


# --- The upgrade ---------------------------------------------------------------------------


@dataclass
class Upgrade:
    # label -> number of objects sealed now
    sealed: dict = field(default_factory=dict)
    # label -> number of those whose rows were changed first (``sealing_late``)
    prepared: dict = field(default_factory=dict)
    rechained: int = 0
    # What is left as found, each named (``verify_audit`` goes on naming it).
    left: list = field(default_factory=list)

    @property
    def changed(self):
        return bool(sum(self.sealed.values()) or self.rechained)


def run(*, chunk_size=2000):
    """Seal what was never sealed and re-chain what was chained by an earlier rule, in one
    transaction (the caller's, if any). Returns what was done, as an ``Upgrade``."""
    done = Upgrade()
    with transaction.atomic():
        _seal_what_was_never_sealed(done)
        _rechain(done, chunk_size)
    return done


def _seal_what_was_never_sealed(done):
    reason = gettext("Sealed by the upgrade: these rows were written before the site sealed them.")
    for sealed_set in seals.registered():
        if sealed_set.expected is None:
            continue
        model = sealed_set.model
        content_type = ContentType.objects.get_for_model(model)
        sealed = set(
            Seal.objects.filter(label=sealed_set.label, content_type=content_type).values_list(
                "object_id", flat=True
            )
        )
        missing = [
            pk
            for pk in sealed_set.expected().order_by("pk").values_list("pk", flat=True)
            if str(pk) not in sealed
        ]
        for pk in missing:
            obj = model._base_manager.get(pk=pk)
            wrong = (
                sealed_set.check(seals.rows_of(sealed_set.label, obj)) if sealed_set.check else None
            )
            if wrong:
                done.left.append(
                    f"{model._meta.label_lower} #{pk}: not sealed as {sealed_set.label}, {wrong}"
                )
                continue
            if sealed_set.sealing_late is not None and sealed_set.sealing_late(obj):
                done.prepared[sealed_set.label] = done.prepared.get(sealed_set.label, 0) + 1
            seals.seal(sealed_set.label, obj, reason=reason)
            done.sealed[sealed_set.label] = done.sealed.get(sealed_set.label, 0) + 1


def _rechain(done, chunk_size):
    earlier = rechained()
    found = []
    models_by_type = {}

    def check(entries):
        by_source = {}
        for entry in entries:
            by_source.setdefault(entry.source_type_id, []).append(entry.source_id)
        sources = {}
        for type_id, ids in by_source.items():
            model = models_by_type.setdefault(
                type_id, ContentType.objects.get_for_id(type_id).model_class()
            )
            for pk, (row, attached) in chain.source_rows(model, ids).items():
                sources[(type_id, pk)] = (model, row, attached)
        for entry in entries:
            source = sources.get((entry.source_type_id, entry.source_id))
            if source is None:
                # Removed: nothing to re-chain; verify_audit names it.
                continue
            model, row, attached = source
            digest = chain._digest(row, attached)
            if chain._holds(entry, digest, earlier.get(entry.pk)):
                continue
            made_with = chained_with(entry, model, row, attached, earlier.get(entry.pk))
            if made_with is None:
                done.left.append(
                    f"entry {entry.pk}: {model._meta.label_lower} #{entry.source_id} matches "
                    "it under no rule: altered behind the site, left as found"
                )
            else:
                found.append({"entry": entry.pk, "chained": made_with, "digest": digest})

    batch = []
    entries = (
        AuditEntry.objects.order_by("id")
        .select_related("content_type", "source_type")
        .iterator(chunk_size=chunk_size)
    )
    for entry in entries:
        batch.append(entry)
        if len(batch) >= chunk_size:
            check(batch)
            batch = []
    if batch:
        check(batch)

    reason = gettext(
        "Re-chained by the upgrade: these entries were chained under an earlier rule, and "
        "their rows still matched it."
    )
    for start in range(0, len(found), RECHAINED_PER_SEAL):
        rows = found[start : start + RECHAINED_PER_SEAL]
        # The seal is kept under the last entry it re-chains.
        last = AuditEntry.objects.get(pk=rows[-1]["entry"])
        seals.keep(RECHAINED, last, rows, reason=reason)
    done.rechained = len(found)


def chained_with(entry, model, row, attached, rechained_before=None):
    """The digest ``entry``'s hash was made with, if its row still gives it under an earlier
    rule (``rechained_before``: the entry's latest re-chaining, if any); else None."""
    if rechained_before is None:
        return chained_by_earlier_rule(entry, model, row, attached)
    # Re-chained before, and the rule has grown again since: the row must still give, under
    # an earlier rule, the digest it had when it was re-chained.
    chained_digest, sealed_digest = rechained_before
    if chain.hash_with(entry, chained_digest) != entry.hash:
        return None
    if sealed_digest in set(earlier_digests(model, row, attached)):
        return chained_digest
    return None


def describe(done):
    """Lines saying what ``run`` did, in counts, then what it left."""
    lines = []
    for label, count in done.sealed.items():
        prepared = done.prepared.get(label)
        extra = f" ({prepared} changed first, as finishing them does now)" if prepared else ""
        lines.append(f"{label}: sealed {count}{extra}")
    if done.rechained:
        lines.append(
            f"history entries re-chained (chained under an earlier rule): {done.rechained}"
        )
    return lines
