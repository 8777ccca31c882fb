"""Moderators hear that opinions wait, in batches rather than one email per opinion.

The first opinion after a quiet spell sends a digest of everything pending at once, and
opens a window (``OPINION_DIGEST_MINUTES``) in which no further email goes out; the shared
cache holds the window, so several app instances still send one digest between them.
``manage.py send_opinion_digest`` (run from cron) covers opinions that arrive inside a
window when no other follows.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Opinion

WINDOW_KEY = "opinions:digest-window"
MODERATORS = "Moderators"

logger = logging.getLogger(__name__)


def moderator_emails():
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, groups__name=MODERATORS)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def opinion_received():
    """Called after each new opinion: send a digest unless one went out recently."""
    if cache.add(WINDOW_KEY, True, timeout=settings.OPINION_DIGEST_MINUTES * 60):
        try:
            return send_digest()
        except Exception:
            # The opinion is kept already: a mail server that is down must not answer the
            # resident with an error. The next opinion (or the cron command) tries again.
            logger.exception("The digest of pending opinions could not be sent")
            cache.delete(WINDOW_KEY)
    return 0


def send_digest():
    """Email the moderators the list of pending opinions. Returns the number listed."""
    pending = list(Opinion.objects.pending().select_related("page").order_by("created_at")[:50])
    count = Opinion.objects.pending().count() if len(pending) == 50 else len(pending)
    recipients = moderator_emails()
    if not count or not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "%(count)d opinion awaits moderation", "%(count)d opinions await moderation", count
        ) % {"count": count}
        body = render_to_string(
            "opinions/digest_email.txt",
            {
                "pending": pending,
                "count": count,
                "queue_url": f"{settings.WAGTAILADMIN_BASE_URL}/admin/snippets/opinions/opinion/?state=pending",
                "intro": _("Residents' opinions are waiting for moderation:"),
            },
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return count
