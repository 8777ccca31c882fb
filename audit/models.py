"""The audit chain: one entry per history row and per Wagtail log entry, in order.

Each entry names its source row (a django-simple-history row or a Wagtail log entry),
copies what the history centre filters on (when, who, what, which action) so that a
timeline of a million entries pages fast without touching the source tables, and carries
``hash``: SHA-256 over the previous entry's hash, its own fields and a digest of the source
row's content. Altering, inserting or removing any of it outside the site breaks the chain,
and ``manage.py verify_audit`` names the entries where it breaks.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    CREATED = "created", pgettext_lazy("history action", "created")
    CHANGED = "changed", pgettext_lazy("history action", "changed")
    DELETED = "deleted", pgettext_lazy("history action", "deleted")
    RESTORED = "restored", pgettext_lazy("history action", "restored")
    TRANSITION = "transition", pgettext_lazy("history action", "state transition")
    # Rows kept outside history (ballots, receipts, the roll, page revisions) were sealed:
    # the entry's hash covers a digest of them (``audit.seals``).
    SEALED = "sealed", pgettext_lazy("history action", "sealed")


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, content_type, object_id):
        return self.filter(content_type=content_type, object_id=str(object_id))


class AuditEntry(models.Model):
    timestamp = models.DateTimeField(_("when"))
    user_id = models.IntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    detail = models.CharField(
        _("detail"),
        max_length=100,
        blank=True,
        help_text=_("The transition's or the page action's name."),
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("type of record"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=255)
    reason = models.TextField(_("reason"), blank=True)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", editable=False
    )
    source_id = models.BigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="audit_entry_one_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-id"], name="audit_entry_record"),
            models.Index(fields=["user_id", "-id"], name="audit_entry_user"),
            # Who did what: the count and the page of one user's changes (or deletions...)
            # without reading each of that user's entries.
            models.Index(fields=["user_id", "action", "-id"], name="audit_entry_user_action"),
            models.Index(fields=["action", "-id"], name="audit_entry_action"),
            models.Index(fields=["content_type", "-id"], name="audit_entry_model"),
            models.Index(fields=["timestamp"], name="audit_entry_time"),
        ]
        # On PostgreSQL, migration 0002 adds a trigram index for the free-text filter.

    def __str__(self):
        return f"#{self.pk} {self.get_action_display()} {self.object_repr}"

    @property
    def source(self):
        """The history row or Wagtail log entry this entry stands for (None if removed)."""
        model = self.source_type.model_class()
        return model._base_manager.filter(pk=self.source_id).first()


class ChainLock(models.Model):
    """One row, written at the start of every append to serialise writers of the chain.

    Updating it takes a row lock on PostgreSQL and the write lock on SQLite, so two
    transactions can never both read the same last entry and fork the chain.
    """

    appends = models.BigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"audit chain lock ({self.appends} appends)"


class Seal(models.Model):
    """Rows of another table, as they stood when sealed, and their digest (``audit.seals``).

    ``label`` names the sealed set ("votes.ballot_box", "wagtail.revision", ...) and the
    content type and id the object whose rows they are. Each seal is a source of one chain
    entry, so the seal itself cannot change unseen; ``verify_audit`` recomputes the rows of
    the latest seal of each object and compares. The rows are kept, not only their digest, so
    that the report can say what changed and a deleted page's revisions stay readable.
    """

    label = models.CharField(max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    rows = models.JSONField(encoder=DjangoJSONEncoder)
    digest = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sealed set")
        verbose_name_plural = _("sealed sets")
        default_permissions = ()
        indexes = [
            models.Index(fields=["label", "content_type", "object_id", "-id"], name="seal_object")
        ]

    def __str__(self):
        return f"{self.label} {self.content_type.app_label}.{self.content_type.model} #{self.object_id}"
