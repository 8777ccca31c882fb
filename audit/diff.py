"""Readable, field-by-field differences between versions of a record."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _

from .registry import personal_fields, personal_permission

HIDDEN = "••••••"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    changed: bool
    personal: bool


def display_value(row, field):
    """A field's value in a history row, as a person would read it."""
    if row is None:
        return ""
    value = getattr(row, field.attname)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "BooleanField":
        return _("yes") if value else _("no")
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Stored in UTC; read in the site's time zone, like every other time in the admin.
        value = timezone.localtime(value)
    return str(localize(value))


def tracked_fields(history_row):
    # Not the database id: the entry names its record already ("Record: 值班记录 #7"), and a
    # row "Id — 7" tells a person nothing.
    return [
        field
        for field in history_row.instance_type._meta.concrete_fields
        if hasattr(history_row, field.attname) and not field.primary_key
    ]


def previous_version(history_row):
    return (
        type(history_row)
        ._base_manager.filter(
            **{
                history_row.instance_type._meta.pk.attname: getattr(
                    history_row, history_row.instance_type._meta.pk.attname
                )
            },
            history_id__lt=history_row.history_id,
        )
        .order_by("-history_id")
        .first()
    )


def field_changes(history_row, user):
    """Each field of the record before and after this history row.

    A deletion shows the last values; personal fields are masked for users without the
    permission to see them in the record itself.
    """
    model = history_row.instance_type
    before = previous_version(history_row)
    after = None if history_row.history_type == "-" else history_row
    if history_row.history_type == "-":
        before = history_row
    may_see_personal = user.has_perm(personal_permission(model))
    masked = set() if may_see_personal else set(personal_fields(model))
    changes = []
    for field in tracked_fields(history_row):
        old = display_value(before, field)
        new = display_value(after, field)
        personal = field.name in masked
        changes.append(
            FieldChange(
                label=str(field.verbose_name).capitalize(),
                old=HIDDEN if personal and old else old,
                new=HIDDEN if personal and new else new,
                changed=old != new,
                personal=personal,
            )
        )
    return changes


def revision_changes(log_entry, request):
    """Wagtail's own field comparisons between a log entry's revision and the one before.

    None when the entry has no revision or its revision is the first one.
    """
    from wagtail.models import Revision

    if not log_entry.revision_id:
        return None
    revision = Revision.objects.filter(pk=log_entry.revision_id).first()
    if revision is None:
        # Deleted with its page: read it, and the one before, from their seals in the chain.
        return _kept_revision_changes(log_entry.revision_id, request)
    previous = (
        Revision.objects.filter(
            base_content_type_id=revision.base_content_type_id,
            object_id=revision.object_id,
            pk__lt=revision.pk,
        )
        .order_by("-pk")
        .first()
    )
    if previous is None:
        return None
    return _compare(previous.as_object(), revision.as_object(), request)


def _kept_revision_changes(revision_id, request):
    from .revisions import as_object, kept_previous_revision, kept_revision

    row = kept_revision(revision_id)
    if row is None:
        return None
    previous = kept_previous_revision(row)
    if previous is None:
        return None
    return _compare(as_object(previous), as_object(row), request)


def _compare(before, after, request):
    from wagtail.admin.panels import get_edit_handler

    edit_handler = (
        after.get_edit_handler()
        if hasattr(after, "get_edit_handler")
        else get_edit_handler(type(after))
    )
    panel = edit_handler.get_bound_panel(instance=after, request=request, form=None)
    comparisons = (comparison(before, after) for comparison in panel.get_comparison())
    return [comparison for comparison in comparisons if comparison.has_changed()]
