"""The admin viewset bases every app uses instead of Wagtail's, so that every listing's
CSV/XLSX export goes through ``core.exports`` (typed text as text, never a formula) and
every inspect view shows times in the site's time zone and values as words (是/否, "—"),
without the database id.

Use them exactly like Wagtail's: ``list_export`` and ``export_filename`` on the viewset.
"""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet as WagtailModelViewSet
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser, snippets
from wagtail.snippets.views.snippets import SnippetViewSet as WagtailSnippetViewSet

from .exports import SafeSpreadsheetExportMixin, local_time


class SnippetIndexView(SafeSpreadsheetExportMixin, snippets.IndexView):
    """Wagtail's snippet listing, its CSV/XLSX export written through ``core.exports``, its
    rows' buttons coming back to the listing as it was filtered."""

    @property
    def return_url(self):
        """The listing as the person sees it: its filters, search and page (also when the
        rows were fetched by the listing's script from ``results/``)."""
        query = self.request.GET.urlencode()
        return f"{self.index_url}?{query}" if query else self.index_url

    def get_list_buttons(self, instance):
        # Wagtail hands the rows' buttons ``request.path`` as the address to come back to
        # (``next``), which drops the query string: a moderator approving from the
        # "pending" filter came back to every opinion. It reads the path once, here.
        path = self.request.path
        self.request.path = self.return_url
        try:
            return super().get_list_buttons(instance)
        finally:
            self.request.path = path


class DeferredJoinPaginator(WagtailPaginator):
    """Pages of a long listing (a million rows) that stay fast however deep: a page's keys
    are read first, from the index that serves the listing's order, so that OFFSET skips
    index entries rather than rows joined to their related rows; then only those rows are
    read, with whatever the listing selects with them."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class ModelIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    """Wagtail's model listing, its CSV/XLSX export written through ``core.exports``."""


class LocalTimeInspectMixin:
    """Times in an inspect view in the site's time zone.

    Wagtail's inspect template formats each value with ``|localize``, which turns a datetime
    into text before the template could convert it, so a time stored in UTC would be shown in
    UTC (22:42 for what the moderation page shows as 06:42 the next day).
    """

    def get_field_display_value(self, field_name, field):
        return local_time(super().get_field_display_value(field_name, field))


class YesNoColumn(Column):
    """A listing column for a yes/no field that reads 是/否 (Yes/No), not Python's
    ``True``/``False``; sorted by the field."""

    def __init__(self, name, **kwargs):
        kwargs.setdefault("sort_key", name)
        super().__init__(name, **kwargs)

    def get_value(self, instance):
        return _("Yes") if super().get_value(instance) else _("No")


class ReadableInspectMixin:
    """An inspect view says what a person reads, never Python's values: 是/否 for a yes/no
    field, "—" for nothing, and no database id (a number that means nothing to staff)."""

    def get_fields(self):
        return [name for name in super().get_fields() if name != self.model._meta.pk.name]

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is True:
            return _("Yes")
        if value is False:
            return _("No")
        if value is None or value == "":
            return "—"
        return value


class SnippetInspectView(ReadableInspectMixin, LocalTimeInspectMixin, snippets.InspectView):
    """A snippet's inspect view: readable values (是/否, —, no raw id) in local time."""


class ModelInspectView(ReadableInspectMixin, LocalTimeInspectMixin, generic.InspectView):
    """A plain model's inspect view: readable values (是/否, —, no raw id) in local time."""


class _SafeExportViewSet:
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A viewset with its own index view must build it on the safe one, or its export
        # would quietly fall back to Wagtail's formula-unsafe CSV.
        if not issubclass(cls.index_view_class, SafeSpreadsheetExportMixin):
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.index_view_class must derive from "
                "core.viewsets.SnippetIndexView or core.viewsets.ModelIndexView."
            )


# What opens a snippet's listing in Wagtail (``generic.IndexView.any_permission_required``).
LISTING_PERMISSIONS = ("add", "change", "delete", "view")


class ListingPermissionMixin:
    """A snippet's chooser shows only to whom its listing shows.

    Wagtail's snippet chooser asks for nothing but access to the admin: every role could
    open the register of people, every opinion with its author, every duty record, every
    inspection rating, through ``/admin/snippets/choose/<app>/<model>/`` and its
    ``chosen/<pk>/``, whatever its menus hid. Each chooser view now asks what the listing
    asks: one of add/change/delete/view on the model, through the model's permission policy
    (so a policy such as ``opinions``' counts here too)."""

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(self.model_class)
        if not policy.user_has_any_permission(request.user, LISTING_PERMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SnippetChooseView(ListingPermissionMixin, chooser.ChooseView):
    """Wagtail's view, asking what the snippet's listing asks."""


class SnippetChooseResultsView(ListingPermissionMixin, chooser.ChooseResultsView):
    """Wagtail's view, asking what the snippet's listing asks."""


class SnippetChosenView(ListingPermissionMixin, chooser.SnippetChosenView):
    """Wagtail's view, asking what the snippet's listing asks."""


class SnippetChosenMultipleView(ListingPermissionMixin, chooser.SnippetChosenMultipleView):
    """Wagtail's view, asking what the snippet's listing asks."""


class SnippetChooserCreateView(ListingPermissionMixin, chooser.SnippetCreateView):
    """Wagtail's view, asking what the snippet's listing asks."""


class SnippetChooserViewSet(chooser.SnippetChooserViewSet):
    """Wagtail's snippet chooser, each of its views behind the snippet's listing permission."""

    choose_view_class = SnippetChooseView
    choose_results_view_class = SnippetChooseResultsView
    chosen_view_class = SnippetChosenView
    chosen_multiple_view_class = SnippetChosenMultipleView
    create_view_class = SnippetChooserCreateView


class SnippetViewSet(_SafeExportViewSet, WagtailSnippetViewSet):
    index_view_class = SnippetIndexView
    inspect_view_class = SnippetInspectView
    chooser_viewset_class = SnippetChooserViewSet

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A chooser of its own must keep the listing's permission, or it would show every
        # row to every role again.
        if not issubclass(cls.chooser_viewset_class, SnippetChooserViewSet):
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.chooser_viewset_class must derive from "
                "core.viewsets.SnippetChooserViewSet."
            )


class ModelViewSet(_SafeExportViewSet, WagtailModelViewSet):
    index_view_class = ModelIndexView
    inspect_view_class = ModelInspectView
