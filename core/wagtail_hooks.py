"""Transition buttons and the page transition view, for every app at once."""

import copy

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext

from wagtail import hooks
from wagtail.models import Page
from wagtail.utils.version import get_main_version

from . import choosers
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


@hooks.register("construct_page_chooser_queryset")
def only_pages_the_role_may_see(pages, request):
    # The page chooser's lists (browsing, searching) show a role the pages it may explore
    # and the public ones, never a draft's or a private page's title (core.choosers).
    return choosers.narrow(pages, request.user)


@hooks.register("before_move_page")
def only_who_may_move_the_page(request, page_to_move, destination):
    # Wagtail's move confirmation (``pages/<id>/move/<destination>/confirm/``) checks no
    # permission before it shows both pages' titles, a draft's too, to any role.
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


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


@hooks.register("construct_help_menu")
def whats_new_in_the_readers_language(request, menu_items):
    """Wagtail formats its "What's new in Wagtail 8.0" label once, in the language of the
    first request that builds the help menu, and keeps it for the life of the process: a
    Chinese reader would get English after an English reader came first. Label it again, in
    this request's language, on this request's own copy."""
    version = get_main_version(include_patch=False)
    for index, item in enumerate(menu_items):
        if item.name == f"whats-new-in-wagtail-{version}":
            relabelled = copy.copy(item)
            relabelled.label = gettext("What's new in Wagtail %(version)s") % {"version": version}
            menu_items[index] = relabelled


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    from . import twofactor

    return twofactor.urlpatterns


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    """Two-step verification in the account's "More actions": turn it on, or see its state."""
    return {
        "url": reverse("twofactor_enrol"),
        "label": gettext("Two-step verification"),
        "help_text": gettext("After the password, a code from an authenticator app on your phone."),
    }
