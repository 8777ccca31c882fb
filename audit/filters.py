import django_filters

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.models import get_page_models

from .models import Action, AuditEntry
from .registry import audited_models


def recorded_types(request=None):
    """The kinds of record the timeline holds: audited models and every page type."""
    models = [*audited_models(), *get_page_models()]
    ids = [ct.pk for ct in ContentType.objects.get_for_models(*models).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class ContentTypeChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name).capitalize() if model else obj.model


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


class AuditEntryFilterSet(WagtailFilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    user = django_filters.ModelChoiceFilter(
        label=_("User"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        method="filter_user",
    )
    content_type = ContentTypeFilter(label=_("Type of record"), queryset=recorded_types)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=Action.choices)
    timestamp = django_filters.DateFromToRangeFilter(label=_("Date"), widget=DateRangePickerWidget)
    object_id = django_filters.CharFilter(label=_("Record id"))

    class Meta:
        model = AuditEntry
        fields = ["q", "user", "content_type", "action", "timestamp", "object_id"]

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(reason__icontains=value)
            | Q(username__icontains=value)
            | Q(detail__icontains=value)
        )

    def filter_user(self, queryset, name, value):
        return queryset.filter(user_id=value.pk)
