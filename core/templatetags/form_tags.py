"""The fields of the site's public forms, as ``includes/form_field.html`` renders each."""

from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.translation import get_language

register = template.Library()

FIELDS = "includes/form_fields.html"


@register.simple_tag
def form_fields(form):
    """Every field of ``form``.

    A form that says its empty version is the same for everyone (``blank_is_shared``: no
    field depends on the request or the reader) and is neither bound nor given initial
    values is rendered once per process and language: every visit to a page that takes
    opinions shows that same empty form, and rendering its widgets cost the page a millisecond.
    """
    if getattr(form, "blank_is_shared", False) and not form.is_bound and not form.initial:
        return _blank(type(form), form.prefix, get_language())
    return render_to_string(FIELDS, {"form": form})


@lru_cache(maxsize=64)
def _blank(form_class, prefix, language):
    return render_to_string(FIELDS, {"form": form_class(prefix=prefix)})


@receiver(setting_changed)
def _forget_blank_forms(**kwargs):
    # A form's fields may read settings (a length limit): tests change them.
    _blank.cache_clear()
