"""The admin's menus speak the reader's language, whoever came first."""

import pytest

from django.test import RequestFactory
from django.utils import translation

from wagtail.admin.menu import help_menu


def whats_new_label(user, language):
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override(language):
        labels = [str(item.label) for item in help_menu.menu_items_for_request(request)]
    (label,) = [label for label in labels if "Wagtail" in label]
    return label


@pytest.mark.django_db
def test_the_whats_new_item_follows_each_readers_language(superuser):
    # Wagtail builds the help menu once per process: an English reader comes first...
    assert whats_new_label(superuser, "en").startswith("What's new in Wagtail")
    # ...and the Chinese reader still reads Chinese, and the next English reader English.
    assert whats_new_label(superuser, "zh-hans").endswith("的新功能")
    assert whats_new_label(superuser, "en").startswith("What's new in Wagtail")
