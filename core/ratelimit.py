"""How often one client may send each public form: one helper, limits from settings.

``PUBLIC_FORM_RATE_LIMITS`` maps a form's name to a django-ratelimit rate ("5/10m": five in
ten minutes). Counts are kept per client address (``core.net.client_ip``) in the shared
cache, in fixed windows. A view counts only what it keeps, so a form sent back with a
mistake to correct costs the resident nothing: it asks ``minutes_to_wait`` before it reads the
form (a client over the limit is answered at once), and ``take`` right before it keeps one.
"""

import math

from django_ratelimit.core import get_usage

from django.conf import settings

from .net import client_ip


def _client(group, request):
    return client_ip(request)


class PublicFormLimit:
    """The limit of one public form, e.g. ``PublicFormLimit("opinion")``."""

    def __init__(self, name):
        self.name = name

    @property
    def rate(self):
        # Read at each use, so that a changed setting (or a test's override) applies.
        return settings.PUBLIC_FORM_RATE_LIMITS[self.name]

    def _usage(self, request, *, increment):
        return get_usage(
            request,
            group=f"public-form.{self.name}",
            key=_client,
            rate=self.rate,
            method="POST",
            increment=increment,
        )

    def minutes_to_wait(self, request):
        """0 when this client may send the form now; otherwise the whole minutes (at least
        one) until the current window ends."""
        usage = self._usage(request, increment=False)
        if usage is None or usage["count"] < usage["limit"]:
            return 0
        return self._minutes(usage)

    def take(self, request):
        """Count one form this client sent, right before the site keeps it: 0 when it is within
        the limit (keep it); otherwise the minutes to wait, as ``minutes_to_wait`` (keep nothing).

        Counting and checking are one step, the cache's atomic increment: forms of one client
        arriving at the same moment through several processes would all pass a check made
        before any of them was counted, and all be kept (6 opinions of a burst against a limit
        of 5, with two workers)."""
        usage = self._usage(request, increment=True)
        if usage is None or not usage["should_limit"]:
            return 0
        return self._minutes(usage)

    @staticmethod
    def _minutes(usage):
        # At least one: the cache failing to count (``time_left`` -1) also means "wait".
        return max(1, math.ceil(usage["time_left"] / 60))
