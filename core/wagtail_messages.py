"""Wagtail's admin strings that its Simplified Chinese catalogue leaves in English.

Nothing imports this module: it is here for ``makemessages``, which keeps these msgids in the
project's catalogue (``locale/``, first in ``LOCALE_PATHS``, so its translations win over
Wagtail's own). Each msgid is copied exactly from Wagtail's source; when Wagtail translates
one, it can be dropped here. Which screens show them: ``docs/screens.md``.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # The page editor and the snippet editor.
    gettext_noop("Submit to %(workflow_name)s"),
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Save your changes before leaving"),
    gettext_noop("Actions"),
    gettext_noop("Actions (footer)"),
    gettext_noop("To be created by %(user)s"),
    gettext_noop("Saved"),
    gettext_noop("Autosave is paused"),
    gettext_noop("Toggle checks"),
    gettext_noop("Checks"),
    gettext_noop("Content metrics"),
    gettext_noop("Words"),
    gettext_noop("Reading time"),
    gettext_noop("Readability"),
    gettext_noop("This data explained"),
    gettext_noop("Correct the validation errors to resume preview (saving will highlight errors)"),
    gettext_noop("Go to the first error"),
    gettext_noop("Locking: "),
    gettext_noop("Locked by"),
    gettext_noop("Anyone can edit this %(model_name)s"),
    gettext_noop("Anyone can edit this %(model_name)s – lock it to prevent others from editing"),
    gettext_noop("%(time)s by %(user_display_name)s"),
    gettext_noop("Privacy and access"),
    gettext_noop("Choose parent"),
    gettext_noop("Create a new %(model_name)s"),
    gettext_noop("The new page will be a child of this given parent page."),
    # The dashboard, the menu and the search.
    gettext_noop("Search all pages…"),
    gettext_noop("Shortcuts"),
    gettext_noop("Page types usage"),
    gettext_noop("Edit account avatar"),
    gettext_noop("Wagtail %(current_version)s editor guide"),
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    # Listings.
    gettext_noop("Exploring"),
    gettext_noop("Date updated"),
    gettext_noop("Edited by"),
    gettext_noop("Has child pages"),
    gettext_noop("Page type"),
    gettext_noop("Any"),
    gettext_noop("Show disabled"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop("(Private %(object)s)"),
    # The paginator's "3 items" (wagtail.admin.paginator).
    gettext_noop("item"),
    gettext_noop("items"),
    # History, usage and deletion.
    gettext_noop("Is commenting action"),
    ngettext_lazy("Referenced %(count)s time", "Referenced %(count)s times", "count"),
    ngettext_lazy(
        "This %(model_name)s is referenced %(usage_count)s time.",
        "This %(model_name)s is referenced %(usage_count)s times.",
        "usage_count",
    ),
    gettext_noop("the %(model_name)s will also be deleted"),
    gettext_noop("If you confirm deletion"),
    gettext_noop("One or more references to this %(model_name)s prevent it from being deleted."),
)
