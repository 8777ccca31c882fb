"""The cadre on duty hears of a new online request at once, instead of when someone happens
to open the admin.

A request filed at ``/duty/request/`` emails the cadres on today's shift of the published
roster; when nobody is on shift (or nobody on shift can be reached by email), the duty
office's address (``DUTY_OFFICE_EMAIL``). The email carries the reference, the category and
a link to the record in the admin, never the resident's name or phone: email leaves the
site, and the record book shows them only to the roles that handle them.

The email goes out through django-tasks (``TASKS`` in settings: the immediate backend runs
it inside the request in development and tests; a queue backend moves it out of the
request in production).
"""

import logging

from django_tasks import task

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import DutyRecord, DutyShift, RosterState

logger = logging.getLogger(__name__)


def on_duty_emails(day):
    """The email addresses of the cadres on a shift of ``day`` in a published roster."""
    return sorted(
        set(
            DutyShift.objects.filter(
                date=day,
                roster__state=RosterState.PUBLISHED,
                person__user__is_active=True,
            )
            .exclude(person__user__email="")
            .values_list("person__user__email", flat=True)
        )
    )


def recipients_for(record):
    """Who hears of ``record``: today's cadres on duty, or else the office."""
    emails = on_duty_emails(timezone.localdate(record.received_at))
    if emails:
        return emails
    office = getattr(settings, "DUTY_OFFICE_EMAIL", "")
    return [office] if office else []


def admin_url(record):
    viewset = DutyRecord.snippet_viewset
    path = reverse(viewset.get_url_name("edit"), args=[record.pk])
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


@task()
def notify_new_request(record_id):
    """Email who should take the new request ``record_id``; returns how many were emailed."""
    record = DutyRecord.objects.only("pk", "reference", "category", "received_at").get(pk=record_id)
    recipients = recipients_for(record)
    if not recipients:
        logger.warning("Nobody to notify of duty request %s: set DUTY_OFFICE_EMAIL", record_id)
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New request %(reference)s: %(category)s") % {
            "reference": record.reference,
            "category": record.get_category_display(),
        }
        body = render_to_string(
            "duty/new_request_email.txt",
            {"record": record, "admin_url": admin_url(record)},
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


def request_filed(record):
    """Called once a resident's request is kept: queue the email to the cadre on duty.

    The resident's request is kept whatever happens here: a queue or a mail server that is
    down must not answer them with an error.
    """
    try:
        result = notify_new_request.enqueue(record.pk)
    except Exception:
        logger.exception("The notification of duty request %s could not be queued", record.pk)
        return None
    return result
