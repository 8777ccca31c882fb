import django_filters

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Max, Min, Q
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


class UserChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        # People by name, as the timeline shows them; the login name tells two alike apart.
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


# From this many characters on, PostgreSQL answers the text filter from the trigram index
# that migration 0002 creates over the UPPER() of the searched columns.
TRIGRAM = 3


class EntryDateFilter(django_filters.DateFromToRangeFilter):
    """A date range, narrowed further to the span of entry ids that the range holds.

    The timeline is ordered by id, newest first. Asked for one month a year ago, a database
    walks the ids down from the newest entry, reading every entry until it reaches that month:
    half a million rows. Bounding the ids by the lowest and highest id in the range (read from
    the date index) changes nothing in the result, as every entry in the range lies inside
    those bounds, but lets the walk start where the month starts.
    """

    def filter(self, qs, value):
        filtered = super().filter(qs, value)
        if filtered is qs:
            return qs
        in_range = super().filter(AuditEntry.objects.all(), value)
        # ``id + 0``: a plain MIN(id) would be answered by walking the primary key instead.
        span = in_range.aggregate(low=Min(F("id") + 0), high=Max(F("id") + 0))
        if span["low"] is None:
            return filtered.none()
        return filtered.filter(id__range=(span["low"], span["high"]))


class AuditEntryFilterSet(WagtailFilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    user = UserFilter(
        label=_("User"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        method="filter_user",
    )
    content_type = ContentTypeFilter(label=_("Type of record"), queryset=recorded_types)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=Action.choices)
    timestamp = EntryDateFilter(label=_("Date"), widget=DateRangePickerWidget)
    object_id = django_filters.CharFilter(label=_("Record id"))

    class Meta:
        model = AuditEntry
        fields = ["q", "user", "content_type", "action", "timestamp", "object_id"]

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        lookup = "icontains"
        if len(value) < TRIGRAM and value.upper() == value.lower():
            # Text with no letter case (Chinese, digits) matches the same with or without
            # case folding. Words this short are found by reading every entry (no trigram
            # index can help), and comparing them as they are spares PostgreSQL an UPPER()
            # of four columns of each entry, most of the cost of that read.
            lookup = "contains"
        return queryset.filter(
            Q(**{f"object_repr__{lookup}": value})
            | Q(**{f"reason__{lookup}": value})
            | Q(**{f"username__{lookup}": value})
            | Q(**{f"detail__{lookup}": value})
        )

    def filter_user(self, queryset, name, value):
        return queryset.filter(user_id=value.pk)
