import pytest

from django.conf import settings
from django.core.cache import cache

from wagtail.models import Site

from core import roles
from people.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` run only when the suite runs on PostgreSQL.

    They are deselected elsewhere, not skipped: CI runs the suite on both databases and
    allows no skips.
    """
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    selected = [item for item in items if item.get_closest_marker("postgresql") is None]
    deselected = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with a cold cache (query budgets are measured cold)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home_page(site):
    return site.root_page.specific


@pytest.fixture
def make_user(db):
    """``make_user("Editors")`` makes a user in that group (no group: a plain user)."""

    def make(*groups, **kwargs):
        return UserFactory(groups=list(groups), **kwargs)

    return make


@pytest.fixture
def editor(make_user):
    return make_user(roles.EDITORS, username="editor")


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATORS, username="moderator")


@pytest.fixture
def superuser(make_user):
    return make_user(username="admin", is_superuser=True, is_staff=True)
