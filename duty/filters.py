"""The record book's filters: those of its fields, and "overdue", which no field holds (it
depends on the time of asking)."""

import django_filters

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet

from .models import OPEN_STATES, DutyRecord


class DutyRecordFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")

    class Meta:
        model = DutyRecord
        fields = ["state", "category", "channel", "inspected"]

    def filter_overdue(self, queryset, name, value):
        # The same rule as DutyRecordQuerySet.overdue(): open and past the time it was due.
        now = timezone.now()
        if value:
            return queryset.overdue(now)
        return queryset.exclude(state__in=OPEN_STATES, due_at__lt=now)
