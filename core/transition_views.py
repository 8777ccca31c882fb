"""The one way to run a named transition in the admin: a confirmation page with an optional
reason, then ``core.transitions.perform``.

A snippet viewset gets the view and its listing buttons by mixing in
``TransitionViewSetMixin``::

    class OpinionViewSet(TransitionViewSetMixin, SnippetViewSet):
        model = Opinion

The view answers at ``<pk>/transition/<name>/`` under the viewset (URL name
``transition``), and every transition the model declares with a label
(``custom={"label": ...}``, see ``core.transitions``) is offered on each listing row to the
users who may run it now. Pages get the same view at ``/admin/pages/<pk>/transition/<name>/``
(URL name ``page_transition``) and a button in the page header (``core.wagtail_hooks``).

The confirmation page is ``core/admin/transition_confirm.html``; a model shows more of
itself by providing ``<app_label>/admin/<model_name>_transition_confirm.html``, which
extends it and fills its ``object`` and ``note`` blocks.

A step that takes more than the reason (the cadre a shift goes to, a corrected time, a
corrected decision) declares its form beside the transition, ``custom={"form":
"duty.admin_forms.ReassignForm"}`` (a dotted path, so that models need not import their
admin forms, or a class): a ``TransitionForm`` whose other fields the page shows above the
reason and whose ``arguments()`` the transition receives.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.log_actions import log
from wagtail.models import Page

from .forms import REASON_MAX_LENGTH
from .transitions import (
    TransitionRefused,
    declared,
    is_step,
    labelled_transitions,
    may_make,
    offered_transitions,
    perform,
    state_allows,
    transition_label,
)


class TransitionForm(forms.Form):
    """The confirmation of a step: its reason, and whatever else the step takes.

    A step's own form subclasses this one: it is built with the record (``instance``, kept
    as ``self.instance``, to offer choices or initial values from it), declares its fields
    (the reason always comes last), and ``arguments()`` gives the transition its keyword
    arguments, by default every cleaned field but the reason.
    """

    reason = forms.CharField(
        label=gettext_lazy("Reason (optional, kept in the history)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.order_fields([*(name for name in self.fields if name != "reason"), "reason"])

    def arguments(self):
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class TransitionView(WagtailAdminTemplateMixin, BaseObjectMixin, FormView):
    """Confirm, then run the transition named in the URL on one record.

    Only transitions the model declares with a label can be run here, and only by users
    whose roles allow them (``PermissionDenied`` otherwise, whatever the state). A state that
    no longer allows the step, or a condition that refuses it, is explained in a message;
    nothing changes.
    """

    model = None
    template_name = "core/admin/transition_confirm.html"
    header_icon = "arrow-right"
    # Where to go back to when no safe ``next`` is given: the viewset's listing.
    index_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.name = kwargs["name"]
        self.method = getattr(self.object, self.name, None)

    def dispatch(self, request, *args, **kwargs):
        # An unknown name is refused like a step the roles do not allow: the URL only ever
        # offers the model's labelled transitions.
        if self.name not in labelled_transitions(self.object) or not may_make(
            self.object, self.name, request.user
        ):
            raise PermissionDenied
        # A step the state no longer allows (another person got there first, or the link is
        # old) is explained at once, unless the model lists what blocks it on the page.
        if not self.explains_blockers and not self.state_allows():
            messages.error(request, self.refusal())
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def state_allows(self):
        return state_allows(self.object, self.name)

    def get_form_class(self):
        form_class = declared(self.object, self.name, "form") or TransitionForm
        return import_string(form_class) if isinstance(form_class, str) else form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # A step that undoes or corrects (``custom={"reason_required": True}``) says why.
        if "reason" in form.fields and declared(self.object, self.name, "reason_required"):
            form.fields["reason"].required = True
            form.fields["reason"].label = gettext_lazy("Reason (kept in the history)")
        return form

    @cached_property
    def label(self):
        return transition_label(self.object, self.name)

    @property
    def explains_blockers(self):
        return bool(declared(self.object, self.name, "blockers"))

    def get_blockers(self):
        method_name = declared(self.object, self.name, "blockers")
        return list(getattr(self.object, method_name)()) if method_name else []

    def state_display(self):
        """The record's state in words; None for a ``step`` (a record with no state)."""
        if is_step(self.object, self.name):
            return None
        field = self.method._django_fsm.field
        return getattr(self.object, f"get_{field.name}_display")()

    def blocked_heading(self):
        return declared(self.object, self.name, "refused") or _("This step is not possible yet:")

    def refusal(self):
        """Why the step did not run, in words."""
        blockers = self.get_blockers()
        if blockers:
            return " ".join([str(self.blocked_heading()), *(str(b) for b in blockers)])
        refused = declared(self.object, self.name, "refused")
        if refused and self.state_allows():
            return str(refused)
        if self.state_display() is None:
            return _("“%(object)s”: that step is not possible now.") % {"object": self.object}
        return _("“%(object)s” is %(state)s now: that step is not possible.") % {
            "object": self.object,
            "state": self.state_display(),
        }

    @cached_property
    def next_url(self):
        next_url = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            next_url,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return next_url
        return ""

    def get_default_url(self):
        return reverse(self.index_url_name)

    def get_success_url(self):
        return self.next_url or self.get_default_url()

    def get_page_title(self):
        return self.label

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": self.get_default_url(),
                "label": capfirst(self.model._meta.verbose_name_plural),
            },
            {"url": "", "label": self.label},
        ]

    def get_template_names(self):
        opts = self.object._meta
        return [
            f"{opts.app_label}/admin/{opts.model_name}_transition_confirm.html",
            self.template_name,
        ]

    def get_context_data(self, **kwargs):
        blockers = self.get_blockers()
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(
            object=self.object,
            transition=self.name,
            label=self.label,
            state=self.state_display(),
            blockers=blockers,
            blocked_heading=self.blocked_heading(),
            next=self.next_url,
            cancel_url=self.get_success_url(),
            # The form's widgets' scripts and styles (a rich text editor, a date picker).
            media=kwargs["form"].media,
            **kwargs,
        )

    def form_valid(self, form):
        reason = form.cleaned_data["reason"]
        try:
            perform(self.object, self.name, self.request.user, reason=reason, **form.arguments())
        except TransitionRefused:
            messages.error(self.request, self.refusal())
        else:
            self.after_transition(reason)
            messages.success(self.request, self.success_message())
        return redirect(self.get_success_url())

    def after_transition(self, reason):
        """Anything to record beside the history row; nothing for a snippet."""

    def success_message(self):
        return _("%(label)s: “%(object)s”.") % {"label": self.label, "object": self.object}


class PageTransitionView(TransitionView):
    """The same for a page: back to its edit view by default, and the step written in the
    page's log as ``<app_label>.<name>`` (the app registers that log action), since pages
    keep their history there."""

    model = Page
    pk_url_kwarg = "pk"

    def get_object(self):
        return get_object_or_404(Page, pk=self.pk).specific

    def get_default_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.object.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.get_default_url(), "label": self.object.get_admin_display_title()},
            {"url": "", "label": self.label},
        ]

    def after_transition(self, reason):
        log(
            instance=self.object,
            action=f"{self.object._meta.app_label}.{self.name}",
            user=self.request.user,
            data={"reason": reason} if reason else None,
        )


def transition_buttons(instance, user, url_for, next_url=None):
    """The buttons for the labelled transitions ``user`` may start on ``instance`` now."""
    for priority, name in enumerate(offered_transitions(instance, user), start=1):
        url = url_for(instance, name)
        if next_url:
            url += "?" + urlencode({"next": next_url})
        yield Button(
            transition_label(instance, name), url, priority=priority, icon_name="arrow-right"
        )


class TransitionViewSetMixin:
    """For a ``SnippetViewSet`` whose model declares labelled transitions: adds the
    transition view and offers its steps on each listing row (see ``core.wagtail_hooks``)."""

    transition_view_class = TransitionView

    @property
    def transition_view(self):
        return self.construct_view(self.transition_view_class)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                f"<{self.pk_path_converter}:pk>/transition/<str:name>/",
                self.transition_view,
                name="transition",
            ),
        ]

    def get_transition_url(self, instance, name):
        return reverse(self.get_url_name("transition"), args=[quote(instance.pk), name])

    def get_transition_buttons(self, instance, user, next_url=None):
        return transition_buttons(instance, user, self.get_transition_url, next_url)


def page_transition_url(page, name):
    return reverse("page_transition", args=[page.pk, name])


page_urlpatterns = [
    path(
        "pages/<int:pk>/transition/<str:name>/",
        PageTransitionView.as_view(),
        name="page_transition",
    ),
]
