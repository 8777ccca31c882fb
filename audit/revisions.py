"""Wagtail's revisions in the audit chain: each revision is sealed when it is saved.

A page's log entries say who did what; its revisions hold what the page said. Each saved
revision (its content, author, time and object) is sealed (``audit.seals``), so a revision
changed or deleted in the database is named by ``verify_audit``, and a deleted page's
revisions stay readable in the History centre from their seals.

Wagtail itself changes a revision in two ways that are not tampering: scheduling sets
``approved_go_live_at`` (left out of the seal), and deleting a user account leaves their
revisions without an author (``SET_NULL``; accepted when that account is gone). Deleting a
page deletes its revisions; that deletion is in the page's own log.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from modelcluster.models import model_from_serializable_data
from wagtail.models import Revision

from . import seals
from .models import Seal

LABEL = "wagtail.revision"
FIELDS = (
    "id",
    "content_type_id",
    "base_content_type_id",
    "object_id",
    "created_at",
    "user_id",
    "object_str",
    "content",
)


def revision_rows(revision):
    return Revision.objects.filter(pk=revision.pk).values(*FIELDS)


def _object_gone(record):
    (row,) = record.rows
    model = ContentType.objects.get_for_id(row["base_content_type_id"]).model_class()
    return model is None or not model._base_manager.filter(pk=row["object_id"]).exists()


def _author_deleted(sealed, current):
    """The only difference is an author whose account no longer exists."""
    if len(sealed) != 1 or len(current) != 1:
        return False
    (before,), (after,) = sealed, current
    if after["user_id"] is not None or before["user_id"] is None:
        return False
    if get_user_model()._base_manager.filter(pk=before["user_id"]).exists():
        return False
    return {**before, "user_id": None} == after


def seal_revision(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and set(update_fields) <= {"approved_go_live_at"}:
        return
    seals.seal(LABEL, instance, user=instance.user)


def kept_revision(revision_id):
    """The revision's row as last sealed (a dict), even when the revision is gone."""
    record = seals.latest(LABEL, ContentType.objects.get_for_model(Revision), revision_id)
    return record.rows[0] if record is not None and record.rows else None


def kept_previous_revision(row):
    """The sealed row of the revision before ``row`` of the same object, if any."""
    previous = None
    records = Seal.objects.filter(
        label=LABEL,
        content_type=ContentType.objects.get_for_model(Revision),
        rows__0__base_content_type_id=row["base_content_type_id"],
        rows__0__object_id=row["object_id"],
    ).order_by("id")
    for record in records:
        candidate = record.rows[0]
        if candidate["id"] < row["id"] and (previous is None or candidate["id"] >= previous["id"]):
            previous = candidate
    return previous


def as_object(row):
    """The object a sealed revision row holds, built without the live object (which may be
    gone)."""
    model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
    return model_from_serializable_data(model, row["content"], check_fks=False, strict_fks=False)


def connect():
    seals.register(
        LABEL,
        Revision,
        revision_rows,
        expected=lambda: Revision.objects.all(),
        may_vanish=_object_gone,
        matches=_author_deleted,
    )
    post_save.connect(seal_revision, sender=Revision, dispatch_uid="audit_seal_revision")
