"""The part every page type that takes residents' opinions shares (blog, hearings)."""

from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.paging import slice_page
from core.ratelimit import PublicFormLimit
from core.references import new_reference

from .forms import OpinionForm
from .models import Opinion
from .notify import opinion_received

RATE_LIMIT = PublicFormLimit("opinion")


def status_url(reference):
    """Where a resident is sent once their opinion is kept: its status page, thanking them."""
    return reverse("opinion_status", args=[reference]) + "?sent=1"


class OpinionsPageMixin:
    """Shows a page's approved opinions, newest first, and the form to add one.

    A page type says when it takes opinions by overriding ``accepts_opinions``; outside
    that time the form is not shown and a posted opinion is refused with a clear message.
    """

    opinions_per_page = 10

    def accepts_opinions(self):
        return True

    def opinions_closed_message(self):
        return _("This page no longer takes opinions.")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        shown = (
            Opinion.objects.shown()
            .on(self)
            .only("author_name", "body", "created_at", "state", "language", "response")
        )
        context["opinions"] = slice_page(
            shown, request.GET.get("opinions"), per_page=self.opinions_per_page
        )
        context["accepts_opinions"] = self.accepts_opinions()
        if "opinion_form" not in context and context["accepts_opinions"]:
            context["opinion_form"] = OpinionForm()
        return context

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            return self.serve_opinion(request, *args, **kwargs)
        return super().serve(request, *args, **kwargs)

    def _render(self, request, status, **extra):
        context = self.get_context(request)
        context.update(extra)
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def serve_opinion(self, request, *args, **kwargs):
        if not self.accepts_opinions():
            return self._render(request, 409, opinion_error=self.opinions_closed_message())

        # Only opinions that are kept count against the limit, so a form sent back with a
        # mistake to correct costs the resident nothing.
        minutes = RATE_LIMIT.minutes_to_wait(request)
        form = OpinionForm(request.POST)
        if minutes:
            return self._too_many(request, form, minutes)
        if form.is_bot:
            # Tell a bot nothing: it is sent on as a resident is, to a reference that leads
            # nowhere, and nothing is kept.
            return HttpResponseRedirect(status_url(new_reference()))
        if not form.is_valid():
            return self._render(request, 400, opinion_form=form)
        # Counted and checked in one step: of a burst sent at once, only the limit is kept.
        minutes = RATE_LIMIT.take(request)
        if minutes:
            return self._too_many(request, form, minutes)

        opinion = form.save(commit=False)
        opinion.page_id = self.pk
        opinion.language = request.LANGUAGE_CODE
        # The opinion, its history row and its link in the audit chain: all kept or none (the
        # history is written after the row, by a signal; a database lost in between must not
        # keep an opinion that history never saw).
        with transaction.atomic():
            opinion.save()
        opinion_received()
        # The opinion's own page: its reference, to come back and see what became of it.
        return HttpResponseRedirect(status_url(opinion.reference))

    def _too_many(self, request, form, minutes):
        return self._render(
            request,
            429,
            opinion_form=form,
            opinion_error=ngettext(
                "You have sent several opinions in a short time. Please try again in %(minutes)d minute; what you wrote is still in the form.",
                "You have sent several opinions in a short time. Please try again in %(minutes)d minutes; what you wrote is still in the form.",
                minutes,
            )
            % {"minutes": minutes},
        )
