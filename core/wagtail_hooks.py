"""Transition buttons and the page transition view, for every app at once."""

from django.core.exceptions import PermissionDenied

from wagtail import hooks
from wagtail.models import Page

from .moderation import CommunityPageViewSet
from .pages import may_delete_pages
from .transition_views import (
    TransitionViewSetMixin,
    page_transition_url,
    page_urlpatterns,
    transition_buttons,
)


@hooks.register("register_admin_urls")
def register_page_transition_urls():
    return page_urlpatterns


@hooks.register("register_admin_viewset")
def register_page_viewset():
    # After Wagtail's own (order -1): every page type's views, with a workflow action that
    # says what it did (core.moderation).
    return CommunityPageViewSet("community_pages")


@hooks.register("register_snippet_listing_buttons")
def snippet_transition_buttons(snippet, user, next_url=None):
    viewset = getattr(type(snippet), "snippet_viewset", None)
    if isinstance(viewset, TransitionViewSetMixin):
        yield from viewset.get_transition_buttons(snippet, user, next_url)


@hooks.register("register_page_header_buttons")
def page_transition_buttons(page, user, view_name, next_url=None):
    # The edit view is where the step starts and where it comes back to: no ``next``.
    yield from transition_buttons(page.specific_deferred, user, page_transition_url)


@hooks.register("before_delete_page")
def only_administrators_delete_pages(request, page):
    if not may_delete_pages(request.user):
        raise PermissionDenied


@hooks.register("before_bulk_action")
def only_administrators_bulk_delete_pages(request, action_type, objects, action_class_instance):
    if (
        action_type == "delete"
        and Page in getattr(action_class_instance, "models", ())
        and not may_delete_pages(request.user)
    ):
        raise PermissionDenied
