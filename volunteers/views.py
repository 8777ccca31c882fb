"""The residents' side of volunteer service: the active teams and the community's service
days this year, as numbers only (no person's name, phone or address)."""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.cache import until_purged
from core.paging import slice_page

from .models import Participation, Team
from .service import community_year

# Teams on a page of the list.
PER_PAGE = 20


@require_safe
def index(request):
    """The active teams (what each does, its members, its party-member backbone, the days
    its volunteers served this year), a page at a time, and the community's total: four
    queries, and two more when the total is counted again."""
    year = timezone.localdate().year
    order = ("name", "pk")
    # The page is cut first, then its own teams are counted: counted before the cut, every
    # team's members and backbone were grouped on each view.
    page = slice_page(
        Team.objects.public().order_by(*order).values_list("pk", flat=True),
        request.GET.get("page"),
        PER_PAGE,
    )
    page.object_list = list(
        Team.objects.filter(pk__in=page.object_list)
        .with_counts()
        .only("name", "focus")
        .order_by(*order)
    )
    # A team's days: each volunteer's distinct dates at the team's activities, added up.
    served = (
        Participation.objects.filter(activity__date__year=year, activity__team__in=page.object_list)
        .values_list("activity__team", "person", "activity__date")
        .order_by()
        .distinct()
    )
    days = {}
    for team, _person, _date in served:
        days[team] = days.get(team, 0) + 1
    for team in page.object_list:
        team.days = days.get(team.pk, 0)
    return TemplateResponse(
        request,
        "volunteers/index.html",
        {
            "teams": page.object_list,
            "page_obj": page,
            "year": year,
            # Counted over every day served this year: kept until a day, a participation or
            # a team changes (what purges this page).
            "community": until_purged(
                reverse("volunteers:index"),
                f"volunteers:community:{year}",
                lambda: community_year(year),
            ),
        },
    )
