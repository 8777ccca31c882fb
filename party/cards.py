"""The contact card (联系卡): a printable page, one numbered card per sheet, for one member,
a selection of members or every active member of a category. Staff of the party-affairs
office (and supervisors, who may read the members) open it from the admin."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.models import CommunitySettings

from .models import VIEW, Category, PartyMember


def _members(request):
    members = PartyMember.objects.active().select_related("person")
    ids = [value for value in request.GET.getlist("id") if value.isdigit()]
    category = request.GET.get("category", "")
    if ids:
        return members.filter(pk__in=ids), ""
    if category in Category.values:
        return members.of_category(category), Category(category).label
    return members, ""


def contact_cards(request, pk=None):
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    if pk is not None:
        members, category = (
            [get_object_or_404(PartyMember.objects.select_related("person"), pk=pk)],
            "",
        )
    else:
        members, category = _members(request)
    return TemplateResponse(
        request,
        "party/admin/contact_cards.html",
        {
            "members": list(members),
            "category": category,
            "community": CommunitySettings.for_request(request),
            "header_title": _("Contact cards"),
        },
    )
