"""Choosing the records an inspection samples: Wagtail's chooser over the record book,
filtered by the inspection's period, searchable by reference or request, paginated; open to
those who may inspect the record book only.

The inspection form's field is ``RecordsChooserWidget``: the records chosen so far, each a
ticked checkbox (untick to leave it out), and a button opening the chooser with the period
the form holds now (``period_start`` and ``period_end``, passed as URL parameters the way
Wagtail's chooser widgets pass their ``linked_fields``). The form still checks that every
record lies in the period: the chooser only offers them.
"""

import datetime
import json

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from .models import INSPECT, DutyRecord

# The URL parameters that carry the inspection's period to the chooser.
PERIOD_PARAMETERS = ("period_start", "period_end")


def period_from(data):
    """The period named in ``data`` (a QueryDict), each bound a date or None when it is
    missing or not a date (never an error: anybody can type a URL)."""
    bounds = []
    for name in PERIOD_PARAMETERS:
        try:
            bounds.append(datetime.date.fromisoformat(data.get(name, "")))
        except ValueError:
            bounds.append(None)
    return bounds


def received_within(start, end):
    """The records received within the period, from ``start`` to ``end`` inclusive, in the
    site's time zone (as the inspection form checks them)."""
    period = Q()
    if start is not None:
        period &= Q(received_at__date__gte=start)
    if end is not None:
        period &= Q(received_at__date__lte=end)
    return period


class RecordFilterForm(BaseFilterForm):
    """The chooser's search (a reference or words of the request) and the period, which
    the search and the pages of results keep."""

    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Reference or words of the request")}),
    )
    # Text, read by ``period_from``: a bound that is not a date filters nothing.
    period_start = forms.CharField(required=False, widget=forms.HiddenInput)
    period_end = forms.CharField(required=False, widget=forms.HiddenInput)

    def filter(self, objects):
        objects = objects.filter(received_within(*period_from(self.cleaned_data)))
        query = self.cleaned_data["q"].strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(Q(reference__icontains=query) | Q(request__icontains=query))
        return objects


class InspectorOnlyMixin:
    """The record book's chooser is for those who may inspect it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(INSPECT):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RecordListingMixin(InspectorOnlyMixin):
    filter_form_class = RecordFilterForm
    ordering = ["-received_at", "-pk"]

    @property
    def columns(self):
        return [
            self.title_column,
            DateColumn("received_at", label=_("Received")),
            Column("state", label=_("State"), accessor="get_state_display"),
        ]


class ChooseView(RecordListingMixin, chooser_views.ChooseView):
    """The chooser's first page: the period's records, for inspectors only."""


class ChooseResultsView(RecordListingMixin, chooser_views.ChooseResultsView):
    """The chooser's search and paging results, within the same period."""


class ChosenView(InspectorOnlyMixin, chooser_views.ChosenView):
    """One record chosen, returned to the form (inspectors only)."""


class ChosenMultipleView(InspectorOnlyMixin, chooser_views.ChosenMultipleView):
    """Several records chosen at once, returned to the form (inspectors only)."""


class CreateView(InspectorOnlyMixin, chooser_views.CreateView):
    """Records are written in the record book, never from an inspection."""

    def can_create(self):
        return False


class DutyRecordChooserViewSet(ChooserViewSet):
    model = DutyRecord
    icon = "doc-full"
    choose_one_text = _("Choose records sampled")
    per_page = 20
    preserve_url_parameters = ["multiple", *PERIOD_PARAMETERS]
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = CreateView
    # Not the widget of every form with a record in it: only the inspection's.
    register_widget = False


duty_record_chooser_viewset = DutyRecordChooserViewSet("duty_record_chooser")


class RecordsChooserWidget(forms.Widget):
    """The records sampled: those chosen so far as ticked checkboxes, and a button opening
    the chooser on the period the form holds (several may be chosen at once)."""

    template_name = "duty/admin/widgets/records_chooser.html"
    # Several controls under one label: a fieldset and its legend.
    use_fieldset = True
    # Where the form keeps the period: the chooser is opened with their values.
    linked_fields = {"period_start": "#id_period_start", "period_end": "#id_period_end"}

    def value_from_datadict(self, data, files, name):
        return data.getlist(name)

    def value_omitted_from_data(self, data, files, name):
        # No box ticked is no record sampled, not a field left out.
        return False

    def format_value(self, value):
        if value is None:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pks = [pk for pk in context["widget"]["value"] if pk.isdigit()]
        records = DutyRecord.objects.filter(pk__in=pks).order_by("-received_at", "-pk")
        context["widget"].update(
            records=[(record.pk, record_label(record)) for record in records],
            chooser_url=reverse(duty_record_chooser_viewset.get_url_name("choose")),
            linked_fields=json.dumps(self.linked_fields),
            choose_text=duty_record_chooser_viewset.choose_one_text,
        )
        return context

    @cached_property
    def media(self):
        return forms.Media(
            js=[
                versioned_static("wagtailadmin/js/chooser-modal.js"),
                versioned_static("duty/js/records-chooser.js"),
            ]
        )


def record_label(record):
    received = timezone.localtime(record.received_at)
    return f"{record.reference} · {received:%Y-%m-%d %H:%M} · {record.get_category_display()}"
