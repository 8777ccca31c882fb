"""The production settings, as the scale test's instances run them.

One change: static files are served from the apps' folders (as the test settings serve them)
instead of from a ``collectstatic`` run, which would compress every file of the admin and
take a minute of the test's time for nothing it checks. Everything the instances share or
keep apart (the cache, the sessions, the login lockouts, the rate limits, the proxy headers)
is production's own.
"""

from cms.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
