"""An opinion's status page: what became of it, for whoever holds its reference."""

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.errors import site_not_found
from core.pages import all_restrictions
from core.references import MAX_LENGTH, normalise_reference

from .models import Opinion, PublicState

FOLLOW_BOX = "opinions/includes/follow_box.html"


def _unknown_reference():
    return Http404(
        _(
            "There is no opinion with this reference. Please check it against the one you "
            "wrote down and type it again."
        )
    )


@require_safe
@site_not_found(follow_box=FOLLOW_BOX)
def follow_opinion(request):
    """The "follow my opinion" box: what was typed, read leniently, to the opinion's page."""
    reference = normalise_reference(request.GET.get("reference", "")[: MAX_LENGTH * 2])
    if not reference:
        raise _unknown_reference()
    return redirect("opinion_status", reference=reference)


@never_cache
@require_safe
@site_not_found(follow_box=FOLLOW_BOX)
def opinion_status(request, reference):
    """What the writer of an opinion may know of it: the page it is on, what they wrote,
    whether it is pending, published, on the notice board or not published (rejected and
    spam alike), the moderator's public reason and the committee's response. Nothing of the
    name or contact they left."""
    canonical = normalise_reference(reference[: MAX_LENGTH * 2])
    if not canonical:
        raise _unknown_reference()
    if canonical != reference:
        # Typed by hand in lower case or without hyphens: one address per opinion.
        return redirect("opinion_status", reference=canonical)
    opinion = (
        Opinion.objects.filter(reference=canonical)
        .select_related("page")
        .only(
            "reference",
            "body",
            "language",
            "created_at",
            "state",
            "public_reason",
            "response",
            "page__title",
            "page__url_path",
            "page__path",
            "page__depth",
            "page__live",
            "page__id",
            "page__content_type_id",
        )
        .first()
    )
    if opinion is None:
        raise _unknown_reference()
    page = opinion.page
    # The page is named and linked only when the public may see it.
    page_is_public = page.live and not any(
        page.path.startswith(restriction.page.path) for restriction in all_restrictions()
    )
    return TemplateResponse(
        request,
        "opinions/status.html",
        {
            "opinion": opinion,
            "public_state": opinion.public_state,
            "states": PublicState,
            # Not "page": the base template reads that as the Wagtail page being served.
            "on_page": page if page_is_public else None,
            "sent": request.GET.get("sent") == "1",
        },
    )
