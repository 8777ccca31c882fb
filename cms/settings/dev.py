import contextlib

from .base import *  # noqa: F403

DEBUG = True
# A harmless key for a developer's machine; production refuses to start without its own.
SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Background work (Wagtail's search index and reference index, the duty notifications) runs
# inside the request: no worker to start on a developer's machine or in the tests.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A developer's own overrides, never committed.
with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
