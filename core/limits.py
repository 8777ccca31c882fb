"""How much a request may send: refused before anything reads it.

The public forms (an opinion, a service request, a login) hold a few kilobytes of text;
only the admin takes uploads (images, documents, spreadsheets to import). A request that
declares a body larger than its part of the site takes (``Content-Length``) is answered 413
by ``BodySizeLimitMiddleware``, before any form, view or middleware reads a byte of it. A body
sent without a length (``Transfer-Encoding: chunked``) is never read at all: under WSGI, Django
reads no more of a body than its ``Content-Length`` says, and reads one without it as empty.

Settings: ``PUBLIC_MAX_BODY_BYTES`` and ``PUBLIC_MAX_NUMBER_FIELDS`` for the public site,
``ADMIN_MAX_BODY_BYTES`` under ``/admin/`` (Django's ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` is the
admin's, whose page editor sends thousands of fields).
"""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent

from . import errors

ADMIN_PATHS = ("/admin/",)


def _in_admin(request):
    return request.path.startswith(ADMIN_PATHS)


def body_limit(request):
    """The largest body, in bytes, the site reads for ``request``."""
    if _in_admin(request):
        return settings.ADMIN_MAX_BODY_BYTES
    return settings.PUBLIC_MAX_BODY_BYTES


def declared_length(request):
    """The body's length as the request declares it; 0 when it declares none (or nonsense),
    as Django then reads no body."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def check_field_count(request):
    """Refuse a public form with more fields than any of the site's has (raises
    ``TooManyFieldsSent``, a 400). Called once the form has been read."""
    if _in_admin(request):
        return  # Django's DATA_UPLOAD_MAX_NUMBER_FIELDS already applied
    fields = sum(len(values) for _key, values in request.POST.lists())
    fields += sum(len(values) for _key, values in request.FILES.lists())
    if fields > settings.PUBLIC_MAX_NUMBER_FIELDS:
        raise TooManyFieldsSent(
            f"{fields} fields posted to {request.path}; the public site takes at most "
            f"{settings.PUBLIC_MAX_NUMBER_FIELDS}."
        )


class BodySizeLimitMiddleware:
    """Answer 413, unread, a request that declares a body larger than ``body_limit``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request) > body_limit(request):
            return errors.too_large(request)
        return self.get_response(request)
