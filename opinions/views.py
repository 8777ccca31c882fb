"""Moderators' actions on one opinion: a confirmation with an optional reason, then the
named transition."""

from django_fsm import can_proceed

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.transitions import TransitionRefused, may_make, perform

from .models import TRANSITIONS, Opinion


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional, kept in the history)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def listing_url():
    return reverse(Opinion.snippet_viewset.get_url_name("list"))


def transition_view(request, pk, name):
    if name not in TRANSITIONS:
        raise PermissionDenied
    opinion = get_object_or_404(Opinion.objects.select_related("page"), pk=pk)
    if not may_make(opinion, name, request.user):
        raise PermissionDenied
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if not can_proceed(getattr(opinion, name)):
        # Another moderator got there first, or the link is old.
        return _refused(request, opinion, next_url)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(opinion, name, request.user, reason=form.cleaned_data["reason"])
        except TransitionRefused:
            return _refused(request, opinion, next_url)
        messages.success(
            request,
            _("%(action)s: “%(opinion)s”.") % {"action": TRANSITIONS[name], "opinion": opinion},
        )
        return redirect(next_url or listing_url())
    return TemplateResponse(
        request,
        "opinions/admin/confirm_transition.html",
        {
            "opinion": opinion,
            "action": TRANSITIONS[name],
            "name": name,
            "form": form,
            "next": next_url,
            "cancel_url": next_url or listing_url(),
            "header_title": TRANSITIONS[name],
            "page_title": TRANSITIONS[name],
            "show_contact": request.user.has_perm("opinions.view_opinion_contact"),
        },
    )


def _refused(request, opinion, next_url):
    messages.error(
        request,
        _("“%(opinion)s” is %(state)s now; that action is not possible.")
        % {"opinion": opinion, "state": opinion.get_state_display()},
    )
    return redirect(next_url or listing_url())
