"""The filters of organisation life's listings: by calendar year (a date range, which the
date indexes answer), by the member's branch (the branches members are in), by card."""

import django_filters

from django import forms
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet

from .models import Attendance, Meeting, PartyMember, ReportedActivity


def branch_choices():
    branches = PartyMember.objects.order_by("branch").values_list("branch", flat=True)
    return [(branch, branch) for branch in branches.distinct()]


def _years(queryset):
    """The years from the first date to the last, newest first: two reads of the date's
    index, where listing the distinct years would read every row."""
    span = queryset.aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return []
    return [(year, year) for year in range(span["last"].year, span["first"].year - 1, -1)]


def meeting_years():
    return _years(Meeting.objects.held())


def activity_years():
    return _years(ReportedActivity.objects.all())


class AttendanceFilterSet(WagtailFilterSet):
    year = django_filters.TypedChoiceFilter(
        label=_("Year"), choices=meeting_years, coerce=int, method="filter_year"
    )
    branch = django_filters.ChoiceFilter(
        label=_("Member's branch"), field_name="member__branch", choices=branch_choices
    )
    card = django_filters.CharFilter(
        label=_("Contact card number"), field_name="member__card_number"
    )
    # A link to one member's roll (``?member=<pk>``): no widget of its own in the form.
    member = django_filters.NumberFilter(field_name="member", widget=forms.HiddenInput)
    # A link to one meeting's roll (``?meeting=<pk>``).
    meeting = django_filters.NumberFilter(field_name="meeting", widget=forms.HiddenInput)

    class Meta:
        model = Attendance
        fields = ["kind", "status", "invited"]

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value)) if value else queryset


class ReportedActivityFilterSet(WagtailFilterSet):
    year = django_filters.TypedChoiceFilter(
        label=_("Year"), choices=activity_years, coerce=int, method="filter_year"
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        field_name="member__category",
        choices=PartyMember._meta.get_field("category").choices,
    )

    class Meta:
        model = ReportedActivity
        fields = ["kind"]

    def filter_year(self, queryset, name, value):
        return queryset.in_year(int(value)) if value else queryset
