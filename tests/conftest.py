"""What the whole suite shares: a cold cache, the site, a user per role and a clock to stop.

Plain helpers (``ui``, ``logged_in``, the query budget) live in ``tests/support.py``.
"""

import datetime

import pytest

from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation

from wagtail.models import Site

from core import roles
from core.indexing import reference_index_off
from core.models import CommunitySettings
from people.factories import PersonFactory, UserFactory
from tests.servers import keep_migrated
from tests.support import search_index_off


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` run only when the suite runs on PostgreSQL.

    They are deselected elsewhere, not skipped: CI runs the suite on both databases and
    allows no skips.
    """
    if connection.vendor == "postgresql":
        return
    selected = [item for item in items if item.get_closest_marker("postgresql") is None]
    deselected = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database; on SQLite a copy of it is kept as migrated, before any
    test writes to it, for the sites started in processes of their own (``copy_migrated``)."""
    with django_db_blocker.unblock():
        keep_migrated(connection)


@pytest.fixture(autouse=True)
def _no_reference_index(request):
    """Wagtail's reference index (what uses an image, a page, a snippet: its "usage" screens)
    is not kept up to date after each save in the tests, a task after every save and a twelfth
    of a save-heavy test's time; nor does ``seed_demo`` rebuild it within a test. A test of the
    usage screens asks for it with ``@pytest.mark.reference_index``."""
    if request.node.get_closest_marker("reference_index"):
        yield
        return
    with reference_index_off():
        yield


@pytest.fixture(autouse=True)
def _no_search_index(request):
    """Nor is Wagtail's search index (``search_index_off``): a task after every save of a page,
    an opinion or a person, a tenth of a save-heavy test's time. What a module's or a package's
    fixture seeds is made before the test starts, and indexed as before. A test that searches
    (the site's ``/search/``, the admin's page search, the page and person choosers) asks for it
    with ``@pytest.mark.search_index``."""
    if request.node.get_closest_marker("search_index"):
        yield
        return
    with search_index_off():
        yield


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's own language: a request in another language leaves that
    language active on the thread after it (Django's locale middleware does not put it back)."""
    translation.deactivate()
    yield


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
def site_settings(site):
    """The site's settings, made now, as a running site has them. Made at the first page's
    render instead, their save would purge every page, and with the pages the figures kept
    until a purge (``core.cache``), in the middle of a test of what is kept."""
    return CommunitySettings.for_site(site)


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


@pytest.fixture
def clerk(make_user):
    return make_user(roles.MEETING_CLERKS, username="clerk")


@pytest.fixture
def supervisor(make_user):
    return make_user(roles.SUPERVISORS, username="supervisor")


@pytest.fixture
def representative(make_user):
    """A user in Representatives (no place in the register: ``tests/votes`` has ``make_rep``)."""
    return make_user(roles.REPRESENTATIVES, username="rep")


@pytest.fixture
def make_cadre(make_user):
    """``make_cadre("周卫东")``: a Duty cadre with an account and a place in the register;
    gives ``(user, person)``."""

    def make(name, username=None, **fields):
        user = make_user(roles.DUTY_CADRES, username=username or f"cadre-{name}")
        person = PersonFactory(
            name=name, is_cadre=True, is_representative=False, user=user, **fields
        )
        return user, person

    return make


@pytest.fixture
def cadre(make_cadre):
    """The cadre on duty (a user in Duty cadres), with ``cadre.person``."""
    user, _person = make_cadre("周卫东", username="cadre")
    return user


class Clock:
    """The one clock of the test (time-machine): ``timezone.now``, ``datetime.now``,
    ``time.time`` and so the cache's expiry and the rate limits' windows all read it."""

    def __init__(self, traveller):
        self._traveller = traveller

    @property
    def moment(self):
        return timezone.now()

    def set(self, moment):
        self._traveller.move_to(moment, tick=False)

    def advance(self, **delta):
        """``clock.advance(hours=3)``: as ``datetime.timedelta`` takes it."""
        self._traveller.shift(datetime.timedelta(**delta))


@pytest.fixture
def clock(time_machine):
    """Stops the clock at the real time; ``clock.set(...)`` and ``clock.advance(...)`` move
    it. It stands still in between, so that no test straddles the end of a window."""
    clock = Clock(time_machine)
    clock.set(timezone.now())
    return clock
