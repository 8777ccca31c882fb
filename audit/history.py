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
record itself.
"""

from simple_history.models import HistoricalRecords

from django.db import models, transaction

from core.changes import consume, label_for, recorded_as


class AuditedHistory(HistoricalRecords):
    def __init__(self, *, personal_fields=(), personal_permission=None, **kwargs):
        self.personal_fields = tuple(personal_fields)
        self.personal_permission = personal_permission
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
        with transaction.atomic(using=using):
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


def restore_from_history(history_row, reason):
    """Bring a deleted record back with the values of its last history row ``history_row``.

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
    with transaction.atomic():
        instance.skip_history_when_saving = True
        try:
            instance.save(force_insert=True)
        finally:
            del instance.skip_history_when_saving
        if kept:
            model._base_manager.filter(pk=instance.pk).update(**kept)
            for name, value in kept.items():
                setattr(instance, name, value)
        with recorded_as(instance, action="restored", reason=reason):
            instance.save()
    return instance
