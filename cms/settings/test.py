"""Fast settings for the test suite."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
# "community.example": a host other than the Site record's, for the tests of absolute URLs.
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver", "community.example"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The browser tests' site shares its cache between its processes and the commands that change
# its data, as production does without Redis (CMS_TEST_CACHE=database; `createcachetable`).
if os.environ.get("CMS_TEST_CACHE") == "database":
    CACHES = {
        "default": {
            "BACKEND": "core.cache_backends.DatabaseCache",
            "LOCATION": "cms_cache",
        }
    }
# The page cache is off in the tests that render pages (they count a render's queries, and
# change the data behind the site between reads); tests/cache turn it on, and the browser
# tests' site runs with it (PAGE_CACHE_SECONDS in its environment).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 0))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Two-step verification and the idle timeout are off for the tests that are not about them (they
# sign staff in with force_login, and move the clock by days); tests/security turns them on, and
# the browser tests start a second site with CMS_TEST_TWO_FACTOR=on for theirs.
TWO_FACTOR_ENFORCED = os.environ.get("CMS_TEST_TWO_FACTOR") == "on"
SESSION_IDLE_SECONDS = 0

# Background work (Wagtail's search index and reference index, the duty notifications) runs
# inside the request: no worker to start on a developer's machine or in the tests.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The browser tests run the test settings under gunicorn: serve static files from the apps.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploads and image renditions made by the tests (the co-building demo's photos) stay out of
# the project's media/ folder: one folder in the system's temporary directory, the same for
# every process of a run (the browser tests' seeding and their gunicorn must agree on it).
MEDIA_ROOT = Path(
    os.environ.get("TEST_MEDIA_ROOT") or Path(tempfile.gettempdir()) / "community-cms-test-media"
)

# On PostgreSQL the tests need not wait for each commit to reach the disk (the migrations, the
# transactional tests): a test database lost in a crash is simply made again.
# A transactional test's flush deletes the rows rather than truncating every table
# (tests/postgresql/base.py: a second less for each such test).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # noqa: F405
