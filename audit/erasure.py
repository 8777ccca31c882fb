"""Erasing residents' personal data once it is kept no longer (``manage.py purge_personal_data``,
run daily from cron).

A model says what is personal and when its retention period starts:

    history = AuditedHistory(personal_fields=["contact"], erase_after="moderated_at")

and ``settings.PERSONAL_DATA_RETENTION_DAYS`` says how many days it lasts, by the model's label
(``"opinions.opinion"``). A record whose ``erase_after`` is older than that (a record still
open has none) has its personal fields emptied in its row and in every history row of it: a
history row that kept the phone number would keep it after all. A record deleted that long
ago has them emptied in its history rows. Each record erased gets a history row of its own,
by nobody (the site), with the reason ``REASON``.

The audit chain: the entry of each history row was hashed over a digest of the row as it was
written, phone number included, so emptying the row changes that digest and ``verify_audit``
would name it. The erasure is therefore chained itself: a seal ``audit.erased`` (one per record)
keeps, for each entry whose row it emptied, the digest the entry was chained with and the
row's digest once erased - the pair ``upgrade_audit`` keeps when it re-chains - and no value.
``verify_audit`` takes an entry's row as intact when it gives the digest the entry was chained
with, or the one the latest such seal names. Anything else still shows: a personal field
emptied or changed by hand (no seal covers it), another column changed, an erased row changed
afterwards, a seal altered or inserted behind the chain. An erasure refuses a record whose
history does not verify as it stands, so that it cannot cover an alteration made before it.

On PostgreSQL history tables refuse UPDATE; the erasure names the table for the length of its
write (``database.erasing``), and even then the trigger lets an UPDATE through only when it
empties the personal columns and changes nothing else.
"""

import datetime
import functools
import operator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from . import chain, seals, upgrade
from .database import erasing
from .models import AuditEntry
from .registry import audited_models, history_model, personal_fields

ERASED = upgrade.ERASED
REASON = gettext_lazy("Personal data erased after the retention period.")


def erasable_models():
    """The audited models whose personal fields are erased after a retention period."""
    return [
        model
        for model in audited_models()
        if model._audited_history.erase_after and personal_fields(model)
    ]


def retention_days(model):
    """How many days ``model``'s personal fields are kept after its ``erase_after``."""
    return int(settings.PERSONAL_DATA_RETENTION_DAYS[model._meta.label_lower])


def period(days):
    """A retention period as residents read it: in months when it is a whole number of them
    (30 days each), else in days."""
    if days >= 60 and days % 30 == 0:
        months = days // 30
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def retention_period(label):
    """The retention period of the model ``label`` ("duty.dutyrecord"), for a form's notice."""
    return period(int(settings.PERSONAL_DATA_RETENTION_DAYS[label]))


def _held(fields, prefix=""):
    """Rows where any of ``fields`` still holds something."""
    return functools.reduce(operator.or_, [~Q(**{f"{prefix}{name}": ""}) for name in fields])


def due(model, now=None):
    """The primary keys of ``model``'s records whose personal data is due for erasure: past
    their retention period, with a value left in the record or in any of its history rows."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=retention_days(model))
    fields = personal_fields(model)
    history = history_model(model)
    pk_name = model._meta.pk.attname
    over = model._base_manager.filter(**{f"{model._audited_history.erase_after}__lt": cutoff})
    found = set(over.filter(_held(fields)).values_list("pk", flat=True))
    found |= set(
        history._base_manager.filter(_held(fields), **{f"{pk_name}__in": over.values("pk")})
        .values_list(pk_name, flat=True)
        .distinct()
    )
    # Deleted that long ago: only their history holds anything.
    deleted = (
        history._base_manager.filter(history_type="-", history_date__lt=cutoff)
        .exclude(**{f"{pk_name}__in": model._base_manager.values("pk")})
        .values(pk_name)
    )
    found |= set(
        history._base_manager.filter(_held(fields), **{f"{pk_name}__in": deleted})
        .values_list(pk_name, flat=True)
        .distinct()
    )
    return sorted(found)


class Refused(Exception):
    """The record's history does not verify as it stands: erasing it would hide that."""


@dataclass
class Erasure:
    model: type
    pk: object
    # History rows emptied; whether the record itself was (False when it was deleted).
    history_rows: int = 0
    record: bool = False


@dataclass
class Purge:
    erased: list = field(default_factory=list)
    # (model, pk, why) of the records left as found.
    refused: list = field(default_factory=list)


def _history_rows(model, pk):
    history = history_model(model)
    return history._base_manager.filter(
        _held(personal_fields(model)), **{model._meta.pk.attname: pk}
    )


def erase(model, pk, *, earlier=None):
    """Empty the personal fields of ``model``'s record ``pk`` and of its history rows, write the
    record's history row saying so and chain the erasure. Raises ``Refused`` (and changes
    nothing) when a history row of the record does not verify as it stands.

    ``earlier``: ``upgrade.rechained()``, read once by a caller erasing many records.
    """
    earlier = upgrade.rechained() if earlier is None else earlier
    fields = personal_fields(model)
    history = history_model(model)
    label = history._meta.label_lower
    done = Erasure(model, pk)
    with transaction.atomic():
        ids = list(_history_rows(model, pk).order_by("pk").values_list("pk", flat=True))
        source_type = ContentType.objects.get_for_model(history, for_concrete_model=False)
        entries = {
            entry.source_id: entry
            for entry in AuditEntry.objects.filter(
                source_type=source_type, source_id__in=ids
            ).select_related("content_type", "source_type")
        }
        before = chain.source_rows(history, ids)
        chained = {}
        for history_id in ids:
            entry = entries.get(history_id)
            if entry is None:
                raise Refused(f"history row {label} #{history_id} has no entry in the chain")
            digest = chain._digest(*before[history_id])
            if not chain._holds(entry, digest, earlier.get(entry.pk)):
                raise Refused(
                    f"entry {entry.pk}: its history row {label} #{history_id} does not verify "
                    "as it stands (run verify_audit)"
                )
            chained[history_id] = (entry.pk, earlier.get(entry.pk, (digest,))[0])
        with erasing(history):
            history._base_manager.filter(pk__in=ids).update(**dict.fromkeys(fields, ""))
        after = chain.source_rows(history, ids)
        kept = [
            {
                "entry": chained[history_id][0],
                "chained": chained[history_id][1],
                "digest": chain._digest(*after[history_id]),
                "history_row": history_id,
                "fields": list(fields),
            }
            for history_id in ids
        ]
        done.history_rows = len(ids)
        with translation.override(settings.LANGUAGE_CODE):
            reason = gettext(REASON)
        record = model._base_manager.filter(pk=pk).first()
        if record is not None:
            for name in fields:
                setattr(record, name, "")
            # The record's own history row: by nobody, with the reason; it holds no value.
            record._change_reason = reason
            record.save()
            done.record = True
        if kept:
            subject = record
            if subject is None:
                subject = (
                    history._base_manager.filter(**{model._meta.pk.attname: pk})
                    .order_by("-pk")
                    .first()
                    .instance
                )
            seals.keep(ERASED, subject, kept, reason=reason)
    return done


def purge(*, now=None, dry_run=False):
    """Erase what is due in every erasable model; with ``dry_run``, only say what would be.

    Each record is erased in its own transaction: one refused leaves the others done.
    """
    result = Purge()
    earlier = upgrade.rechained()
    for model in erasable_models():
        for pk in due(model, now):
            if dry_run:
                result.erased.append(
                    Erasure(
                        model,
                        pk,
                        history_rows=_history_rows(model, pk).count(),
                        record=model._base_manager.filter(pk=pk).exists(),
                    )
                )
                continue
            try:
                result.erased.append(erase(model, pk, earlier=earlier))
            except Refused as refusal:
                result.refused.append((model, pk, str(refusal)))
    return result
