"""The residents' side of co-building: the published joint activities of the "four links",
with their photos. What is shown: title, date, place, kind, the partner units' names, the
outcome, the number of participants and the photo; never the residents taking part nor a
partner's contact person or phone."""

from django.db.models import Prefetch
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from wagtail.images import get_image_model
from wagtail.images.models import Filter

from core.errors import site_not_found
from core.paging import slice_page

from .models import ActivityKind, JointActivity, Partner

PER_PAGE = 10

# The photo's renditions the templates ask for, written as in their ``{% srcset_image %}``
# tags (a tag takes its specs literally): the same renditions are prefetched with the
# activities, so that a page costs the same queries whatever it shows.
LIST_PHOTO = "fill-{480x360,960x720}"
DETAIL_PHOTO = "width-{480,800,1200}"
PHOTO_SPECS = (LIST_PHOTO, DETAIL_PHOTO)


def _public(photo_spec):
    """Published activities with their partners' names and their photo's renditions,
    in four queries whatever their number; only the fields the public pages show."""
    return (
        JointActivity.objects.published()
        .only("title", "kind", "date", "place", "participant_count", "outcome", "photo", "state")
        .prefetch_related(
            Prefetch("partners", queryset=Partner.objects.only("name").order_by("name")),
            Prefetch(
                "photo",
                queryset=get_image_model().objects.prefetch_renditions(
                    *Filter.expand_spec(photo_spec)
                ),
            ),
        )
    )


@require_safe
def activity_list(request):
    """The published activities, newest first, a page at a time; ``?kind=`` one of the four."""
    activities = _public(LIST_PHOTO)
    filters, error = {}, ""
    kind = request.GET.get("kind", "")
    if kind in ActivityKind.values:
        activities = activities.of_kind(kind)
        filters["kind"] = kind
    elif kind:
        error = _("Choose a kind of activity from the list.")
    page = slice_page(activities, request.GET.get("page"), PER_PAGE)
    return TemplateResponse(
        request,
        "cobuilding/activity_list.html",
        {
            "page_obj": page,
            "kinds": ActivityKind.choices,
            "filters": filters,
            "filter_query": urlencode(filters) + "&" if filters else "",
            "filter_error": error,
        },
    )


@require_safe
@site_not_found()
def activity_detail(request, pk):
    """One published activity; a draft (or withdrawn) one is not found."""
    activity = _public(DETAIL_PHOTO).filter(pk=pk).first()
    if activity is None:
        raise Http404(_("There is no published co-building activity at this address."))
    return TemplateResponse(
        request,
        "cobuilding/activity_detail.html",
        {"activity": activity},
    )
