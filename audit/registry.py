"""Which models are audited: found through django-simple-history's registration, never
through imports, so that ``audit`` imports no module app and the history centre serves
every app that declares ``AuditedHistory``."""

from django.apps import apps


def audited_models():
    """Every model that declares ``AuditedHistory``, in a stable order."""
    return sorted(
        (model for model in apps.get_models() if hasattr(model, "_audited_history")),
        key=lambda model: model._meta.label,
    )


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def history_models():
    return [history_model(model) for model in audited_models()]


def m2m_history_models(model):
    """The many-to-many history tables of a history model (``AuditedHistory(m2m_fields=...)``):
    simple-history writes their rows with each history row, pointing to it by ``history``."""
    from simple_history.models import HistoricalRecords

    return [
        HistoricalRecords.m2m_models[field]
        for field in getattr(model, "_history_m2m_fields", ())
        if field in HistoricalRecords.m2m_models
    ]


def all_m2m_history_models():
    return [m2m for model in history_models() for m2m in m2m_history_models(model)]


def personal_fields(model):
    return model._audited_history.personal_fields


def personal_permission(model):
    """The permission a user needs to see the model's personal fields in history."""
    declared = model._audited_history.personal_permission
    return declared or f"{model._meta.app_label}.view_{model._meta.model_name}"


def is_audited(model):
    return hasattr(model, "_audited_history")
