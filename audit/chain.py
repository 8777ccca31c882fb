"""Hashing, appending and verifying the audit chain."""

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from .models import AuditEntry, ChainLock, Seal
from .registry import m2m_history_models

GENESIS = "0" * 64
# Fields of the entry itself that its hash covers (with the previous hash and the digest).
ENTRY_FIELDS = (
    "timestamp",
    "user_id",
    "username",
    "action",
    "detail",
    "object_id",
    "object_repr",
    "reason",
    "source_id",
)


def _plain(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _canonical(data):
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def source_digest(model, pk):
    """SHA-256 of a source row's stored content, as read back from the database.

    For a history row with many-to-many history (an inspection's sampled records), the
    digest covers those rows too.
    """
    return source_digests(model, [pk]).get(pk)


def source_rows(model, pks):
    """``model``'s rows ``pks`` as stored, each with its many-to-many history rows (None for a
    model with none): {pk: (row, attached)}."""
    pk_name = model._meta.pk.attname
    rows = list(model._base_manager.filter(pk__in=pks).values())
    attached = _attached(model, [row[pk_name] for row in rows]) if m2m_history_models(model) else {}
    return {row[pk_name]: (row, attached.get(row[pk_name])) for row in rows}


def source_digests(model, pks):
    """{pk: digest} of ``model``'s rows ``pks`` (see ``source_digest``); removed rows are left out."""
    return {pk: _digest(row, attached) for pk, (row, attached) in source_rows(model, pks).items()}


def _attached(model, pks):
    """The many-to-many history rows of ``model``'s rows ``pks``: {pk: {table: [rows]}}."""
    attached = {pk: {} for pk in pks}
    for m2m in m2m_history_models(model):
        for pk in pks:
            attached[pk][m2m._meta.label_lower] = []
        for row in m2m._base_manager.filter(history_id__in=pks).order_by("pk").values():
            attached[row["history_id"]][m2m._meta.label_lower].append(_plain_row(row))
    return attached


def _plain_row(row):
    return {k: _plain(v) for k, v in row.items()}


def _digest(row, attached=None):
    data = _plain_row(row)
    if attached is not None:
        # Only history models with many-to-many history take this form, so the digests of
        # every other row are unchanged.
        data = {"row": data, "m2m": attached}
    return hashlib.sha256(_canonical(data).encode()).hexdigest()


def entry_hash(prev_hash, fields, content_type, source_type, digest):
    data = {name: _plain(fields[name]) for name in ENTRY_FIELDS}
    data["content_type"] = f"{content_type.app_label}.{content_type.model}"
    data["source_type"] = f"{source_type.app_label}.{source_type.model}"
    data["prev_hash"] = prev_hash
    data["digest"] = digest
    return hashlib.sha256(_canonical(data).encode()).hexdigest()


def append(*, source, content_type, **fields):
    """Chain a new entry for ``source`` (a saved history row or log entry)."""
    source_type = ContentType.objects.get_for_model(type(source), for_concrete_model=False)
    with transaction.atomic():
        # Take the chain's lock before reading its last entry (see ChainLock).
        if not ChainLock.objects.filter(pk=1).update(appends=F("appends") + 1):
            try:
                with transaction.atomic():
                    ChainLock.objects.create(pk=1, appends=1)
            except IntegrityError:
                # Another writer created the lock row first: wait for it like any writer.
                ChainLock.objects.filter(pk=1).update(appends=F("appends") + 1)
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS
        digest = source_digest(type(source), source.pk)
        fields = {"source_id": source.pk, **fields}
        fields["object_repr"] = (fields.get("object_repr") or "")[:255]
        # Store the timestamp as the database will give it back, for a stable hash.
        entry = AuditEntry(
            content_type=content_type,
            source_type=source_type,
            prev_hash=prev_hash,
            **fields,
        )
        entry.hash = entry_hash(prev_hash, _entry_fields(entry), content_type, source_type, digest)
        entry.save(force_insert=True)
    return entry


def _entry_fields(entry):
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


def hash_with(entry, digest):
    """The hash ``entry`` would carry were its source's digest ``digest``."""
    return entry_hash(
        entry.prev_hash, _entry_fields(entry), entry.content_type, entry.source_type, digest
    )


def _holds(entry, digest, rechained=None):
    """Does ``entry`` stand for a source whose digest is now ``digest``?

    ``rechained``: for an entry chained by an earlier rule and re-chained since
    (``audit.upgrade``), the digest its hash was made with and the digest its source had
    under the current rule when it was re-chained; the entry must still hold the first,
    and its source the second.
    """
    if rechained is not None:
        chained_digest, sealed_digest = rechained
        return digest == sealed_digest and hash_with(entry, chained_digest) == entry.hash
    return hash_with(entry, digest) == entry.hash


@dataclass
class Problem:
    entry_id: int | None
    kind: str  # altered, removed, inserted, broken link, not upgraded
    message: str


@dataclass
class Report:
    checked: int = 0
    head: AuditEntry | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def verify(
    *,
    saved_head=None,
    history_models=(),
    log_models=(),
    audited_types=(),
    sealed_sets=None,
    chunk_size=2000,
):
    """Walk the chain and name every entry where it breaks.

    ``saved_head`` is an (entry id, hash) pair written outside the database earlier: the
    chain must still hold that entry with that hash (so that a cut tail or a recomputed
    chain is found). ``history_models`` are the tables whose every row must be chained
    (with their many-to-many history). Every seal must be chained, and the sets registered
    in ``audit.seals`` (``sealed_sets``, by default all of them) are read again and compared
    with their latest seal.
    """
    from . import upgrade

    report = Report()
    prev_hash = GENESIS
    models_by_type = {}
    batch = []
    # Entries chained by an earlier rule and re-chained by ``upgrade_audit``.
    rechained = upgrade.rechained()

    def check(entries):
        nonlocal prev_hash
        by_source = {}
        for entry in entries:
            by_source.setdefault(entry.source_type_id, []).append(entry.source_id)
        digests = {}
        sources = {}
        for type_id, ids in by_source.items():
            model = models_by_type.setdefault(
                type_id, ContentType.objects.get_for_id(type_id).model_class()
            )
            for pk, (row, attached) in source_rows(model, ids).items():
                sources[(type_id, pk)] = (model, row, attached)
                digests[(type_id, pk)] = _digest(row, attached)
        for entry in entries:
            report.checked += 1
            if entry.prev_hash != prev_hash:
                report.problems.append(
                    Problem(
                        entry.pk,
                        "broken link",
                        f"entry {entry.pk} does not follow the entry before it: an entry "
                        "before it was removed or inserted, or the chain was rewritten",
                    )
                )
            digest = digests.get((entry.source_type_id, entry.source_id))
            source_label = (
                f"{entry.source_type.app_label}.{entry.source_type.model} #{entry.source_id}"
            )
            if digest is None:
                report.problems.append(
                    Problem(
                        entry.pk,
                        "removed",
                        f"entry {entry.pk}: its history row {source_label} was removed",
                    )
                )
            elif not _holds(entry, digest, rechained.get(entry.pk)):
                model, row, attached = sources[(entry.source_type_id, entry.source_id)]
                if upgrade.chained_with(entry, model, row, attached, rechained.get(entry.pk)):
                    report.problems.append(
                        Problem(
                            entry.pk,
                            "not upgraded",
                            f"entry {entry.pk}: {source_label} was chained by an earlier "
                            "version of the site (its digest then covered less of the row); "
                            "run `manage.py upgrade_audit`",
                        )
                    )
                else:
                    report.problems.append(
                        Problem(
                            entry.pk,
                            "altered",
                            f"entry {entry.pk}: the entry or its history row {source_label} was altered",
                        )
                    )
            prev_hash = entry.hash
            report.head = entry

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

    def unchained(kind, model, rows):
        """Rows of ``model`` among ``rows`` with no entry in the chain: written behind it."""
        source_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        pks = (
            rows.annotate(
                chained=Exists(
                    AuditEntry.objects.filter(source_type=source_type, source_id=OuterRef("pk"))
                )
            )
            .filter(chained=False)
            .values_list("pk", flat=True)
        )
        for pk in pks.iterator():
            report.problems.append(
                Problem(
                    None,
                    "inserted",
                    f"{kind} {source_type.app_label}.{source_type.model} #{pk} was inserted "
                    "outside the site (it has no entry in the chain)",
                )
            )

    for model in history_models:
        unchained("history row", model, model._base_manager.all())
        for m2m in m2m_history_models(model):
            # Many-to-many history rows are covered by their history row's entry; one that
            # points to no chained history row was written behind the site's back.
            history_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            orphans = (
                m2m._base_manager.annotate(
                    chained=Exists(
                        AuditEntry.objects.filter(
                            source_type=history_type, source_id=OuterRef("history_id")
                        )
                    )
                )
                .filter(chained=False)
                .values_list("pk", flat=True)
            )
            for pk in orphans.iterator():
                report.problems.append(
                    Problem(
                        None,
                        "inserted",
                        f"many-to-many history row {m2m._meta.label_lower} #{pk} was inserted "
                        "outside the site (its history row has no entry in the chain)",
                    )
                )
    unchained("seal", Seal, Seal.objects.all())

    from . import seals

    seal_type = ContentType.objects.get_for_model(Seal)

    def seal_problem(seal_id, kind, message):
        entry_id = None
        if seal_id is not None:
            entry_id = (
                AuditEntry.objects.filter(source_type=seal_type, source_id=seal_id)
                .values_list("pk", flat=True)
                .first()
            )
        if entry_id is not None:
            message = f"entry {entry_id}: {message}"
        report.problems.append(Problem(entry_id, kind, message))

    seals.verify(seal_problem, sealed_sets)
    # Wagtail's log entries are chained too, except those about audited models (their history
    # rows are the record) and those about no model at all.
    for model in log_models:
        unchained(
            "log entry",
            model,
            model._base_manager.exclude(content_type=None).exclude(
                content_type__in=list(audited_types)
            ),
        )

    if saved_head is not None:
        head_id, head_hash = saved_head
        held = AuditEntry.objects.filter(pk=head_id).values_list("hash", flat=True).first()
        if held is None:
            report.problems.append(
                Problem(
                    head_id,
                    "removed",
                    f"the saved head, entry {head_id}, is no longer in the chain: its tail was cut",
                )
            )
        elif held != head_hash:
            report.problems.append(
                Problem(
                    head_id,
                    "altered",
                    f"entry {head_id} no longer has the saved head's hash: the chain was rewritten",
                )
            )
    return report
