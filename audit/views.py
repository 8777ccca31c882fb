"""The supervisors' history centre: one timeline over every audited record and page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.log_actions import registry as log_registry
from wagtail.models import Page

from core.transitions import transition_label
from core.viewsets import ModelIndexView, ModelViewSet

from .diff import field_changes, revision_changes
from .filters import AuditEntryFilterSet
from .history import restore_from_history
from .models import Action, AuditEntry, Seal
from .registry import is_audited


def timeline_url(instance):
    """The history centre's timeline of one record or page."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(instance)
    query = urlencode({"content_type": content_type.pk, "object_id": instance.pk})
    return f"{reverse('audit_history:index')}?{query}"


class RecordColumn(TitleColumn):
    """The record's name, linking to the entry's difference."""


def full_names(user_ids):
    """``{user id: the person's full name, or the login name when there is none}`` in one
    query, for the users who wrote a page of entries."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=ids)
    }


def user_label(entry, names):
    """Who wrote ``entry``: the full name, else the login name kept in the entry (the
    account may be gone), else nobody (the system)."""
    return names.get(entry.user_id) or entry.username


def action_text(entry):
    """What the entry did, in words: a transition and a page action by their own labels
    ("State transition: Resolve", "Publish"), not by the bare kind of change."""
    action = capfirst(entry.get_action_display())
    if not entry.detail:
        return action
    if entry.source_type.model != "pagelogentry" and entry.action == Action.TRANSITION:
        model = entry.content_type.model_class()
        detail = transition_label(model, entry.detail) if model else entry.detail
    elif entry.action == Action.SEALED:
        return action
    else:
        detail = _log_label(entry.detail)
    return _("%(action)s: %(detail)s") % {"action": action, "detail": detail}


class HistoryPaginator(WagtailPaginator):
    """Finds a page's entries by their ids first, then reads those entries.

    ``OFFSET`` on the entries themselves reads (and joins) every entry it skips: half a
    million for a page in the middle of a million. Skipping over ids alone walks an index
    and nothing else; the page's fifty entries are then read by primary key.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        entries = list(self.object_list.filter(pk__in=ids)) if ids else []
        return self._get_page(entries, number, self)


class HistoryIndexView(ModelIndexView):
    page_title = gettext_lazy("History")
    filterset_class = AuditEntryFilterSet
    default_ordering = "-id"
    paginate_by = 50
    paginator_class = HistoryPaginator
    list_export = [
        "id",
        "timestamp",
        "name",
        "username",
        "action",
        "detail",
        "content_type",
        "object_id",
        "object_repr",
        "reason",
        "hash",
    ]
    export_headings = {
        "id": gettext_lazy("Entry"),
        "timestamp": gettext_lazy("When"),
        "name": gettext_lazy("User"),
        "username": gettext_lazy("Login name"),
        "action": gettext_lazy("Action"),
        "detail": gettext_lazy("Detail"),
        "content_type": gettext_lazy("Type of record"),
        "object_id": gettext_lazy("Record id"),
        "object_repr": gettext_lazy("Record"),
        "reason": gettext_lazy("Reason"),
        "hash": gettext_lazy("Hash"),
    }
    export_filename = "history"

    def get_base_queryset(self):
        return AuditEntry.objects.select_related("content_type", "source_type")

    def get_valid_orderings(self):
        return ["id", "-id"]

    @cached_property
    def export_names(self):
        # Who wrote what, for the whole download: the staff are few, the entries many.
        return {
            user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.all()
        }

    def to_row_dict(self, item):
        row = {field: getattr(item, field, None) for field in self.list_export}
        row["name"] = user_label(item, self.export_names)
        row["action"] = action_text(item)
        row["content_type"] = _type_label(item.content_type)
        return row

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The table's cells are rendered after this: the page's writers, in one query.
        self.names = full_names(entry.user_id for entry in context["object_list"])
        return context

    @cached_property
    def columns(self):
        return [
            Column("id", label="#", width="6%"),
            DateColumn("timestamp", label=_("When"), width="14%"),
            Column(
                "username",
                label=_("User"),
                accessor=lambda entry: user_label(entry, getattr(self, "names", {})),
                width="10%",
            ),
            Column("action", label=_("Action"), accessor=action_text, width="14%"),
            Column(
                "type",
                label=_("Type of record"),
                accessor=lambda entry: _type_label(entry.content_type),
                width="12%",
            ),
            RecordColumn(
                "object_repr",
                label=_("Record"),
                get_url=lambda entry: reverse("audit_history:inspect", args=[entry.pk]),
            ),
            Column("reason", label=_("Reason"), width="20%"),
        ]


def _log_label(action):
    try:
        return log_registry.get_action_label(action)
    except KeyError:
        return action


def _type_label(content_type):
    model = content_type.model_class()
    return str(model._meta.verbose_name).capitalize() if model else content_type.model


class HistoryEntryView(generic.InspectView):
    """One entry: who, when, what, why, and the field-by-field difference."""

    template_name = "audit/entry.html"
    page_title = gettext_lazy("History entry")

    def get_object(self, queryset=None):
        return get_object_or_404(
            AuditEntry.objects.select_related("content_type", "source_type"), pk=self.pk
        )

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        source = entry.source
        context["entry"] = entry
        context["user_label"] = user_label(entry, full_names([entry.user_id]))
        context["action_text"] = action_text(entry)
        context["source_missing"] = source is None
        context["type_label"] = _type_label(entry.content_type)
        context["timeline_url"] = f"{reverse('audit_history:index')}?" + urlencode(
            {"content_type": entry.content_type_id, "object_id": entry.object_id}
        )
        model = entry.content_type.model_class()
        if (
            source is not None
            and model is not None
            and is_audited(model)
            and hasattr(source, "history_type")
        ):
            context["changes"] = field_changes(source, self.request.user)
            context["can_restore"] = (
                entry.action == Action.DELETED
                and self.request.user.is_superuser
                and not model._base_manager.filter(pk=source.instance.pk).exists()
            )
        elif isinstance(source, Seal):
            context["seal"] = source
        elif source is not None:
            context["log_details"] = log_details(source)
            context["revision_id"] = source.revision_id
            context["revision_changes"] = revision_changes(source, self.request)
            if model is not None and issubclass(model, Page):
                page = Page.objects.filter(pk=entry.object_id).first()
                # Wagtail's page history and revision comparison are for those who may edit
                # the page; supervisors read the same differences here, entry by entry.
                if page is not None and page.permissions_for_user(self.request.user).can_edit():
                    context["page_history_url"] = reverse(
                        "wagtailadmin_pages:history", args=[page.pk]
                    )
        return context


def log_details(log_entry):
    """A Wagtail log entry's data as a person reads it: ``[(label, text), ...]``.

    Wagtail keeps the workflow and its task as dictionaries (``{'id': 1, 'title': ...}``);
    its own message for the action says what happened in a sentence, and the workflow, the
    task and the moderator's comment are named by their titles.
    """
    details = [(_("What happened"), log_entry.message)]
    data = log_entry.data or {}
    workflow = data.get("workflow") if isinstance(data.get("workflow"), dict) else {}
    if workflow.get("title"):
        details.append((_("Workflow"), workflow["title"]))
    for key, label in (("task", _("Task")), ("next", _("Next step"))):
        if isinstance(workflow.get(key), dict) and workflow[key].get("title"):
            details.append((label, workflow[key]["title"]))
    if log_entry.comment:
        details.append((_("Moderator’s comment"), log_entry.comment))
    return details


@require_POST
def restore(request, pk):
    """Bring a deleted record back from its last history row (administrators only)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    entry = get_object_or_404(AuditEntry, pk=pk, action=Action.DELETED)
    source = entry.source
    if source is None or not hasattr(source, "instance"):
        messages.error(request, _("This entry cannot be restored: its history row is missing."))
        return redirect("audit_history:inspect", pk)
    instance = source.instance
    if type(instance)._base_manager.filter(pk=instance.pk).exists():
        messages.error(request, _("This record exists already; there is nothing to restore."))
        return redirect("audit_history:inspect", pk)
    try:
        instance = restore_from_history(
            source, _("Restored from history entry #%(entry)s") % {"entry": entry.pk}
        )
    except IntegrityError:
        messages.error(
            request,
            _("The record could not be restored: it conflicts with a record that exists now."),
        )
        return redirect("audit_history:inspect", pk)
    messages.success(request, _("“%(record)s” has been restored.") % {"record": instance})
    restored = AuditEntry.objects.for_object(entry.content_type, instance.pk).first()
    return redirect("audit_history:inspect", restored.pk)


class HistoryCentreViewSet(ModelViewSet):
    model = AuditEntry
    icon = "history"
    menu_label = gettext_lazy("History")
    menu_order = 900
    add_to_admin_menu = True
    name = "audit_history"
    url_prefix = "history"
    index_view_class = HistoryIndexView
    # The viewset passes its own export file name (the table's name) to the index view.
    export_filename = HistoryIndexView.export_filename
    # The viewset passes its own page size to the index view (Wagtail's default is 20).
    list_per_page = HistoryIndexView.paginate_by
    inspect_view_class = HistoryEntryView
    inspect_view_enabled = True

    def get_urlpatterns(self):
        # Read-only: no add, edit or delete views exist, for anyone.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("entry/<int:pk>/", self.inspect_view, name="inspect"),
            path("entry/<int:pk>/restore/", restore, name="restore"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                "copy_url_name": None,
                **kwargs,
            }
        )
