"""Logins: sessions end when left idle, and a lockout says whom it locked in the log.

``SESSION_IDLE_SECONDS`` without a request, and the next request finds itself signed out (0:
never). The moment of the last request is kept in the session, written at most once a minute
(and at sign-in), so that a busy user's requests do not each write the session.

django-axes' own log lines mask the user name and the address; the line written here names
them, so that whoever reads the log knows which account was attacked, and from where. The
name it counts failures by is cut to what its records hold (``axes_username``).
"""

import logging
import time

from axes.conf import settings as axes_settings
from axes.signals import user_locked_out

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

logger = logging.getLogger(__name__)

LAST_SEEN = "last_seen"
# Seconds between two writes of the moment of the last request.
WRITE_EVERY = 60


class IdleTimeoutMiddleware:
    """After Django's ``AuthenticationMiddleware``: signs out a session idle for longer than
    ``SESSION_IDLE_SECONDS``; the request goes on as an anonymous visitor's (the admin then
    asks for the password again)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.SESSION_IDLE_SECONDS
        session = getattr(request, "session", None)
        if idle and session is not None and SESSION_KEY in session:
            now = int(time.time())
            last_seen = session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > idle:
                logout(request)
            elif last_seen is None or now - last_seen >= WRITE_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="core.logins.stamp_login")
def stamp_login(sender, request, user, **kwargs):
    if settings.SESSION_IDLE_SECONDS and request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


@receiver(user_locked_out, dispatch_uid="core.logins.log_lockout")
def log_lockout(sender, request, username, ip_address, **kwargs):
    path = getattr(request, "path", "")
    logger.warning("Login locked out: user %r from %s at %s", username, ip_address, path)


def axes_username(request, credentials=None):
    """The user name django-axes counts a login's failures by (``AXES_USERNAME_CALLABLE``):
    what was typed, as axes reads it, cut to the length of its records' column.

    No account has a longer name (150 at most), but anyone may type one: PostgreSQL refuses
    to store it, and the login form answered a server error instead of its message.
    """
    from axes.models import AccessAttempt  # read once the apps are loaded

    field = axes_settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if isinstance(username, str):
        return username[: AccessAttempt._meta.get_field("username").max_length]
    return username
