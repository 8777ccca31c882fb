"""The one way an audited model declares its history.

    from audit.history import AuditedHistory

    class Person(models.Model):
        ...
        history = AuditedHistory(personal_fields=["phone"])

Every save, delete and restore then writes a history row (django-simple-history) with the
request's user (``HistoryRequestMiddleware``) and the reason a form asked for
(``instance._change_reason``, simple-history's own attribute), and each row is chained into
the audit chain (``audit.recording``). A save made inside ``core.changes.recorded_as`` (a
named transition, a restore) is labelled so in its one history row, with the reason given
there. ``personal_fields`` are shown in the history centre only to users
who hold ``personal_permission`` (by default the model's own view permission), as in the
record itself, and erased, from the record and its history, a retention period after
``erase_after`` (``audit.erasure``).
"""

from simple_history.models import HistoricalChanges, HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from modelcluster.fields import ParentalKey

from core.changes import consume, label_for, recorded_as

from . import seals
from .database import site_writes
from .models import AuditEntry, Seal
from .registry import history_model, is_audited

# The snapshot of a record's children taken as it is deleted (see ``keep_children``).
CHILDREN = "audit.children"


class AuditedHistory(HistoricalRecords):
    def __init__(self, *, personal_fields=(), personal_permission=None, erase_after=None, **kwargs):
        self.personal_fields = tuple(personal_fields)
        self.personal_permission = personal_permission
        # The date field that starts the retention period of ``personal_fields``
        # (``settings.PERSONAL_DATA_RETENTION_DAYS``, by the model's label): once it is over,
        # ``manage.py purge_personal_data`` erases them (``audit.erasure``). None: kept.
        self.erase_after = erase_after
        # The user is kept as a plain id, not a foreign key: deleting a user account must
        # not rewrite (SET NULL) the history rows that name them. The audit chain keeps the
        # user name as well.
        kwargs.setdefault(
            "history_user_id_field", models.IntegerField(null=True, blank=True, db_index=True)
        )
        # Reasons are as long as the person giving them needs (simple-history's default
        # column holds 100 characters).
        kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
        super().__init__(**kwargs)

    def create_historical_record(self, instance, history_type, using=None):
        # The history row and its link in the audit chain are written together or not at all.
        with transaction.atomic(using=using), site_writes(using):
            super().create_historical_record(instance, history_type, using=using)
        # A label (and the reason given with it) belongs to this one row.
        consume(instance)

    def get_change_reason_for_object(self, instance, history_type, using):
        label = label_for(instance)
        if label is not None and label.reason:
            return label.reason
        return super().get_change_reason_for_object(instance, history_type, using)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if self.cls is sender:
            sender._audited_history = self


class ChildHistory(AuditedHistory):
    """The history of a row edited inside its parent's form (a ``ParentalKey``). The history
    table keeps the parent as a plain foreign key without a constraint, as simple-history does
    for every foreign key: modelcluster refuses such a key (``related_name="+"``) on a
    ``ParentalKey``."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in list(fields.items()):
            if isinstance(field, ParentalKey):
                plain = models.ForeignKey(
                    field.remote_field.model,
                    verbose_name=field.verbose_name,
                    db_constraint=False,
                    related_name="+",
                    null=True,
                    blank=True,
                    db_index=True,
                    on_delete=models.DO_NOTHING,
                )
                plain.name = field.name
                fields[name] = plain
        return fields


def cascaded_children(model):
    """The relations whose rows are deleted with a record of ``model`` (on_delete CASCADE)."""
    return [
        related
        for related in model._meta.related_objects
        if related.one_to_many
        and not related.related_model._meta.auto_created
        and related.field.remote_field.on_delete is models.CASCADE
        and not issubclass(related.related_model, HistoricalChanges)
    ]


def keep_children(sender, instance, **kwargs):
    """Before an audited record is deleted, keep what is deleted with it, for its restore.

    Children with history of their own (an inspection's ratings) are named; the others (a
    motion's options, a ParentalKey's rows) are kept whole, as a snapshot sealed in the chain.
    """
    if not is_audited(sender) or instance.pk is None:
        return
    rows = []
    for related in cascaded_children(sender):
        child = related.related_model
        children = child._base_manager.filter(**{related.field.name: instance.pk})
        for values in children.order_by("pk").values():
            if is_audited(child):
                rows.append({"model": child._meta.label, "pk": values[child._meta.pk.attname]})
            else:
                rows.append({"model": child._meta.label, "values": seals.plain_rows([values])[0]})
    if rows:
        seals.keep(CHILDREN, instance, rows, user=getattr(instance, "_history_user", None))


def _children_snapshot(history_row):
    """The children kept as the record was deleted: the latest snapshot chained before the
    deletion's own entry (the chain's order, not clocks, says which came first)."""
    model = history_row.instance_type
    pk = getattr(history_row, model._meta.pk.attname)
    deletion = AuditEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(type(history_row), for_concrete_model=False),
        source_id=history_row.pk,
    ).values_list("pk", flat=True)
    snapshots = Seal.objects.filter(
        label=CHILDREN, content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).values_list("pk", flat=True)
    entry = (
        AuditEntry.objects.filter(
            source_type=ContentType.objects.get_for_model(Seal),
            source_id__in=list(snapshots),
            id__lt=deletion.first() or 0,
        )
        .order_by("-id")
        .first()
    )
    return Seal.objects.get(pk=entry.source_id).rows if entry is not None else []


def _restore_rows(instance, snapshot):
    """Put back the children kept whole; rows the restore's own save added are replaced."""
    from django.apps import apps

    for related in cascaded_children(type(instance)):
        child = related.related_model
        kept = [row for row in snapshot if row["model"] == child._meta.label and "values" in row]
        if not kept:
            continue
        # The record did not exist a moment ago: any child it has now was made by its save
        # (a motion's default options).
        child._base_manager.filter(**{related.field.name: instance.pk}).delete()
        for row in kept:
            model = apps.get_model(row["model"])
            obj = model(
                **{
                    field.attname: field.to_python(row["values"][field.attname])
                    for field in model._meta.concrete_fields
                    if field.attname in row["values"]
                }
            )
            # raw: every value as kept, none stamped again (auto_now_add) on the way in.
            obj.save_base(raw=True, force_insert=True)


def _restore_m2m(history_row, instance):
    """Give the record back its many-to-many links as its last version before deletion had
    them (the deletion's own row holds none: the links go first)."""
    fields = getattr(history_row, "_history_m2m_fields", ())
    if not fields:
        return
    model = type(instance)
    pk_name = model._meta.pk.attname
    before = (
        type(history_row)
        ._base_manager.filter(
            **{pk_name: getattr(history_row, pk_name)}, history_id__lt=history_row.history_id
        )
        .order_by("-history_id")
        .first()
    )
    if before is None:
        return
    for field in fields:
        m2m = HistoricalRecords.m2m_models[field]
        target = get_m2m_reverse_field_name(field)
        ids = m2m._base_manager.filter(history=before).values_list(f"{target}_id", flat=True)
        existing = field.related_model._base_manager.filter(pk__in=list(ids))
        getattr(instance, field.name).set(existing)


def _restore_audited_children(instance, snapshot, reason):
    from django.apps import apps

    for row in snapshot:
        if "pk" not in row:
            continue
        model = apps.get_model(row["model"])
        if model._base_manager.filter(pk=row["pk"]).exists():
            continue
        last = (
            history_model(model)
            ._base_manager.filter(**{model._meta.pk.attname: row["pk"]})
            .order_by("-history_id")
            .first()
        )
        if last is not None and last.history_type == "-":
            restore_from_history(last, reason)


def restore_from_history(history_row, reason):
    """Bring a deleted record back with the values of its last history row ``history_row``,
    and with its children: the rows deleted with it (kept in the chain as it was deleted),
    children with history of their own (restored from it), and its many-to-many links.

    The restore is recorded as the record's next history row, labelled "restored". Django
    stamps ``auto_now_add`` fields on every insert, so the record is first inserted without
    history, given back its stored creation time, and then saved once more: that save writes
    the history row, with every value as it was before the deletion.
    """
    instance = history_row.instance
    model = type(instance)
    kept = {
        field.attname: getattr(instance, field.attname)
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now_add", False)
    }
    snapshot = _children_snapshot(history_row)
    with transaction.atomic():
        instance.skip_history_when_saving = True
        try:
            instance.save(force_insert=True)
            _restore_rows(instance, snapshot)
            _restore_m2m(history_row, instance)
        finally:
            del instance.skip_history_when_saving
        if kept:
            model._base_manager.filter(pk=instance.pk).update(**kept)
            for name, value in kept.items():
                setattr(instance, name, value)
        with recorded_as(instance, action="restored", reason=reason):
            instance.save()
        _restore_audited_children(instance, snapshot, reason)
    return instance
