"""Correcting a published decision: the summary and the decision stay as published (the
page's form refuses to change them), and a correction is a new decision with its reason,
recorded in the page's log and in history, and shown on the page below the original."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log
from wagtail.search.index import insert_or_update_object

from core.changes import recorded_as

from .models import PUBLISH_DECISION, DecisionCorrection, DecisionState, HearingPage


def may_correct(page, user):
    return page.decision_state == DecisionState.PUBLISHED and user.has_perm(PUBLISH_DECISION)


def correct_decision_url(page):
    return reverse("hearings_correct_decision", args=[page.pk])


class DecisionCorrectionForm(forms.ModelForm):
    class Meta:
        model = DecisionCorrection
        fields = ["decision", "summary", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class CorrectDecisionView(WagtailAdminTemplateMixin, FormView):
    form_class = DecisionCorrectionForm
    template_name = "hearings/admin/correct_decision.html"
    header_icon = "edit"

    def dispatch(self, request, pk):
        self.page = get_object_or_404(HearingPage, pk=pk)
        if not may_correct(self.page, request.user):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Correct the decision")

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.page.pk])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.edit_url(), "label": self.page.get_admin_display_title()},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": DecisionCorrection(page=self.page, corrected_by=self.request.user),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(page=self.page, cancel_url=self.edit_url(), **kwargs)
        # The rich text editor's scripts and styles.
        context["media"] = context["form"].media
        return context

    def form_valid(self, form):
        correction = form.instance
        reason = form.cleaned_data["reason"]
        with transaction.atomic():
            correction._history_user = self.request.user
            with recorded_as(
                correction, action="created", detail="correct_decision", reason=reason
            ):
                correction.save()
            log(
                instance=self.page,
                action="hearings.correct_decision",
                user=self.request.user,
                data={"correction": correction.pk, "reason": reason},
            )
        # The corrected summary is searchable with the original one.
        insert_or_update_object(self.page)
        messages.success(self.request, _("The correction is published on the hearing's page."))
        return redirect(self.edit_url())


urlpatterns = [
    path(
        "pages/<int:pk>/correct-decision/",
        CorrectDecisionView.as_view(),
        name="hearings_correct_decision",
    ),
]
