"""The admin viewset bases every app uses instead of Wagtail's, so that every listing's
CSV/XLSX export goes through ``core.exports`` (typed text as text, never a formula).

Use them exactly like Wagtail's: ``list_export`` and ``export_filename`` on the viewset.
"""

from django.core.exceptions import ImproperlyConfigured

from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet as WagtailModelViewSet
from wagtail.snippets.views import snippets
from wagtail.snippets.views.snippets import SnippetViewSet as WagtailSnippetViewSet

from .exports import SafeSpreadsheetExportMixin


class SnippetIndexView(SafeSpreadsheetExportMixin, snippets.IndexView):
    """Wagtail's snippet listing, its CSV/XLSX export written through ``core.exports``."""


class ModelIndexView(SafeSpreadsheetExportMixin, generic.IndexView):
    """Wagtail's model listing, its CSV/XLSX export written through ``core.exports``."""


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


class SnippetViewSet(_SafeExportViewSet, WagtailSnippetViewSet):
    index_view_class = SnippetIndexView


class ModelViewSet(_SafeExportViewSet, WagtailModelViewSet):
    index_view_class = ModelIndexView
