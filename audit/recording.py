"""Chain every history row and every Wagtail log entry as it is written; seal every page
revision (``audit.revisions``) and keep an audited record's children as it is deleted
(``audit.history.keep_children``)."""

from simple_history.signals import post_create_historical_record

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save, pre_delete

from wagtail.log_actions import registry as log_registry

from core.changes import label_for

from . import chain
from .models import Action
from .registry import is_audited

HISTORY_TYPES = {"+": Action.CREATED, "~": Action.CHANGED, "-": Action.DELETED}

# Wagtail's log actions by kind; any other action is a state transition (publish,
# unpublish, workflow steps, locking, ...) or, failing that, a change.
WAGTAIL_CREATED = {"wagtail.create", "wagtail.copy", "wagtail.copy_for_translation"}
WAGTAIL_DELETED = {"wagtail.delete"}
WAGTAIL_TRANSITIONS = (
    "wagtail.publish",
    "wagtail.unpublish",
    "wagtail.workflow",
    "wagtail.moderation",
    "wagtail.schedule",
    "wagtail.lock",
    "wagtail.unlock",
)


def _username(user):
    return user.get_username() if user is not None else ""


def chain_history_row(sender, instance, history_instance, history_user=None, **kwargs):
    model = type(instance)
    if not is_audited(model):
        return
    # A save labelled with ``core.changes.recorded_as`` (a transition, a restore) says so;
    # AuditedHistory spends the label once this row is written.
    label = label_for(instance)
    if label is not None:
        action, detail = label.action, label.detail
    else:
        action, detail = HISTORY_TYPES[history_instance.history_type], ""
    chain.append(
        source=history_instance,
        content_type=ContentType.objects.get_for_model(model),
        timestamp=history_instance.history_date,
        user_id=history_user.pk if history_user is not None else None,
        username=_username(history_user),
        action=action,
        detail=detail,
        object_id=str(instance.pk),
        object_repr=str(instance),
        reason=history_instance.history_change_reason or "",
    )


def _log_username(log_entry):
    if log_entry.user_id is None:
        return ""
    try:
        return _username(log_entry.user)
    except ObjectDoesNotExist:
        return ""


def wagtail_action(action):
    # Actions the project's own modules log (such as "hearings.publish_decision") are
    # their named transitions.
    if not action.startswith("wagtail."):
        return Action.TRANSITION
    if action in WAGTAIL_CREATED:
        return Action.CREATED
    if action in WAGTAIL_DELETED:
        return Action.DELETED
    if action.startswith(WAGTAIL_TRANSITIONS):
        return Action.TRANSITION
    return Action.CHANGED


def chain_log_entry(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.content_type_id is None:
        return
    model = instance.content_type.model_class()
    # For audited models the history rows are the record; Wagtail's parallel log entry
    # would only say the same thing twice.
    if model is not None and is_audited(model):
        return
    object_id = getattr(instance, "page_id", None) or getattr(instance, "object_id", "")
    comment = ""
    if isinstance(instance.data, dict):
        comment = instance.data.get("comment", "") or ""
    chain.append(
        source=instance,
        content_type=instance.content_type,
        timestamp=instance.timestamp,
        user_id=instance.user_id,
        username=_log_username(instance),
        action=wagtail_action(instance.action),
        detail=instance.action,
        object_id=str(object_id),
        object_repr=instance.label,
        reason=comment if isinstance(comment, str) else "",
    )


def connect():
    from . import revisions
    from .history import keep_children

    post_create_historical_record.connect(chain_history_row, dispatch_uid="audit_chain_history")
    pre_delete.connect(keep_children, dispatch_uid="audit_keep_children")
    revisions.connect()
    for model in log_registry.get_log_entry_models():
        post_save.connect(
            chain_log_entry, sender=model, dispatch_uid=f"audit_chain_{model._meta.label}"
        )
