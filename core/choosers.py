"""Wagtail's page chooser, showing each role only the pages it may see.

Wagtail's page chooser (``/admin/choose-page/``) lists every page of the tree to everyone with
access to the admin: a meeting clerk or a duty cadre, who have no page permission at all,
read the titles of drafts and of private pages there, browse into a draft section by its id,
and ``chosen-multiple/?id=...`` answers any id with its title. Here a role sees in it the
pages it may explore in the page explorer (editors and moderators: the whole tree) and,
besides those, the pages the public sees: live, and in no private section.

The lists (browsing and searching) are narrowed by the ``construct_page_chooser_queryset``
hook (``core.wagtail_hooks``); the two views that show a page named in the address (the
section browsed, the pages chosen) are served here at Wagtail's paths, ``cms/urls.py``
including ``urlpatterns`` before Wagtail's admin, as ``core.reports`` does.
"""

from django.db.models import Q
from django.http import Http404
from django.urls import path

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import chooser
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.utils.urlpatterns import decorate_urlpatterns


def choosable_pages(user):
    """The pages ``user`` may see in the chooser: those they may explore, the public ones,
    and the tree's root (the chooser's starting point, "Root")."""
    explorable = policy_registry.get_by_type(Page).explorable_instances(user)
    public = Page.objects.live().public()
    return Page.objects.filter(
        Q(depth=1) | Q(pk__in=explorable.values("pk")) | Q(pk__in=public.values("pk"))
    )


def sees_whole_tree(user):
    """Whether ``user`` may explore every page (then nothing needs narrowing)."""
    explorable = policy_registry.get_by_type(Page).explorable_instances(user)
    return explorable.count() == Page.objects.count()


def narrow(pages, user):
    """``pages`` cut down to those ``user`` may see; by the pages' ids, which the search
    backend can filter on (``Page.search_fields``), so that searching is narrowed too."""
    if sees_whole_tree(user):
        return pages
    return pages.filter(id__in=list(choosable_pages(user).values_list("pk", flat=True)))


class BrowseView(chooser.BrowseView):
    """Browsing a section the role may not see is as browsing one that does not exist; the
    section Wagtail opens by itself (the pages of the type asked for have in common) is the
    root when the role may not see it."""

    def get_object_list(self):
        parent = Page.objects.filter(pk=self.parent_page.pk)
        if not narrow(parent, self.request.user).exists():
            if self.kwargs.get("parent_page_id"):
                raise Http404
            self.parent_page = Page.get_first_root_node().specific
        return super().get_object_list()


class ChosenMultipleView(chooser.ChosenMultipleView):
    """The pages chosen, answered only for pages the role may see (the others are left out,
    as ids that do not exist are)."""

    def get(self, request):
        request.GET = request.GET.copy()
        ids = narrow(Page.objects.filter(pk__in=request.GET.getlist("id")), request.user)
        request.GET.setlist("id", [str(pk) for pk in ids.values_list("pk", flat=True)])
        return super().get(request)


# Wagtail's own paths and names (``wagtail/admin/urls/__init__.py``), behind the same
# admin-access check as the rest of its admin.
urlpatterns = decorate_urlpatterns(
    [
        path("", BrowseView.as_view(), name="wagtailadmin_choose_page"),
        path(
            "<int:parent_page_id>/",
            BrowseView.as_view(),
            name="wagtailadmin_choose_page_child",
        ),
        path(
            "chosen-multiple/",
            ChosenMultipleView.as_view(),
            name="wagtailadmin_choose_page_chosen_multiple",
        ),
    ],
    require_admin_access,
)
