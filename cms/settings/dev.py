import contextlib

from .base import *  # noqa: F403

DEBUG = True
# A harmless key for a developer's machine; production refuses to start without its own.
SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# A developer's own overrides, never committed.
with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
