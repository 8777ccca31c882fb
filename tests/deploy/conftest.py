import pytest

from . import production

# The settings the deployment tests read from production as it starts with no more than a
# secret key and a host name (no Redis, no bucket).
DEFAULT_SETTINGS = (
    "CACHES",
    "SESSION_ENGINE",
    "AXES_HANDLER",
    "WAGTAIL_REDIRECTS_FILE_STORAGE",
    "TASKS",
    "STORAGES",
    "MEDIA_ROOT",
    "INSTALLED_APPS",
    "WAGTAILDOCS_SERVE_METHOD",
)


@pytest.fixture(scope="session")
def production_defaults():
    """Read once: each reading starts a Django of its own."""
    return production.production_settings(*DEFAULT_SETTINGS)
