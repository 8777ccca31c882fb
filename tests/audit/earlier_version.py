"""A database as the version before seals wrote it, for the upgrade tests.

The rule below is copied from ``audit/chain.py`` as it stood at commit a75c979, the parent
of the commit that added seals and the many-to-many digest. It is kept here unchanged, as a
fixture of the earlier rule: the chain's digest then covered a source row alone.

``written_by_the_earlier_version()`` runs the current site with the earlier behaviour. Rows
are written through the same flows, but:

- chain entries get the earlier digest (``source_digest`` below replaces the current one);
- page revisions are not sealed as they are saved (the receiver is disconnected);
- a vote's roll is not sealed when it opens, and its ballot box is not sealed when it closes;
- a secret box is not rewritten at close (the earlier close only stamped the time).

``earlier_problems()`` walks the chain as the earlier ``verify_audit`` did, so a test can
check that the imitation is a chain that the earlier version itself finds intact.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from contextlib import contextmanager
from unittest import mock

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from wagtail.models import Revision

from audit import revisions
from audit.models import AuditEntry

# --- Copied from audit/chain.py at a75c979 ---------------------------------------------------

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
    """SHA-256 of a source row's stored content, as read back from the database."""
    row = model._base_manager.filter(pk=pk).values().first()
    return None if row is None else _digest(row)


def _digest(row):
    return hashlib.sha256(_canonical({k: _plain(v) for k, v in row.items()}).encode()).hexdigest()


def entry_hash(prev_hash, fields, content_type, source_type, digest):
    data = {name: _plain(fields[name]) for name in ENTRY_FIELDS}
    data["content_type"] = f"{content_type.app_label}.{content_type.model}"
    data["source_type"] = f"{source_type.app_label}.{source_type.model}"
    data["prev_hash"] = prev_hash
    data["digest"] = digest
    return hashlib.sha256(_canonical(data).encode()).hexdigest()


# --- End of the copy -------------------------------------------------------------------------


def earlier_problems():
    """(entry id, kind) for each entry the earlier ``verify_audit`` would name (its walk of the
    chain, without the later checks for unchained rows)."""
    found = []
    prev_hash = GENESIS
    for entry in AuditEntry.objects.order_by("id").select_related("content_type", "source_type"):
        if entry.prev_hash != prev_hash:
            found.append((entry.pk, "broken link"))
        model = ContentType.objects.get_for_id(entry.source_type_id).model_class()
        digest = source_digest(model, entry.source_id)
        fields = {name: getattr(entry, name) for name in ENTRY_FIELDS}
        if digest is None:
            found.append((entry.pk, "removed"))
        elif (
            entry_hash(entry.prev_hash, fields, entry.content_type, entry.source_type, digest)
            != entry.hash
        ):
            found.append((entry.pk, "altered"))
        prev_hash = entry.hash
    return found


@contextmanager
def written_by_the_earlier_version():
    """Rows written inside this block are chained and left unsealed, as the earlier version
    did (see the module's docstring)."""
    post_save.disconnect(sender=Revision, dispatch_uid="audit_seal_revision")
    try:
        with (
            mock.patch("audit.chain.source_digest", source_digest),
            mock.patch("votes.sealing.seal_roll"),
            mock.patch("votes.sealing.seal_ballot_box"),
            mock.patch("votes.services.close_ballot_box"),
        ):
            yield
    finally:
        post_save.connect(
            revisions.seal_revision, sender=Revision, dispatch_uid="audit_seal_revision"
        )
