"""The site's own error pages, answered from views: not found (404), a request the site
cannot read (400) or will not read (413), a file it cannot store because its storage is full.

With ``DEBUG`` on (the demo, a developer's machine) Django answers an ``Http404`` with its
technical page, which lists the site's URL patterns; a resident who mistypes a reference in
the demo must meet the site's page instead, with a word about what went wrong.
"""

import errno
import logging
from functools import wraps

from django.contrib import messages
from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


def not_found(request, message="", **context):
    """The site's 404 page with ``message`` (already translated) and any extra context."""
    return TemplateResponse(request, "404.html", {"message": message, **context}, status=404)


def site_not_found(**context):
    """Decorate a view so that the ``Http404`` it raises is answered with the site's 404
    page, its message shown, whatever ``DEBUG`` says. ``context`` goes to the template
    (``follow_box``: a template to include below the message)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404 as error:
                message = str(error.args[0]) if error.args else ""
                return not_found(request, message, **context)

        return wrapped

    return decorate


# --- Requests the site cannot read ----------------------------------------------------------

ERROR_PAGE = "400.html"
# Without the site's frame: for a request whose host is not the site's, as rendering the frame
# looks the site up by host (and would refuse it again, inside the error handler).
BARE_ERROR_PAGE = "core/bare_error.html"


def _bad_request_texts():
    return {
        "title": gettext_lazy("Your request could not be read"),
        "message": gettext_lazy(
            "The site could not read what your browser sent. Please go back, reload the page "
            "and try again."
        ),
    }


def _too_large_texts():
    return {
        "title": gettext_lazy("What you sent is too large"),
        "message": gettext_lazy(
            "What you sent is larger than the site accepts. Please shorten it, or send a "
            "smaller file, and try again."
        ),
    }


def error_page(request, status, *, title, message):
    """The site's page for a request it refuses (400, 413), in the reader's language.

    Safe to call from anywhere, before the session, the user or the locale are set up, and for
    a request that cannot be read: nothing here reads the request's body, and a request whose
    host the site refuses gets a page without the site's frame."""
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        context = {"title": str(title), "message": str(message)}
        try:
            request.get_host()
        except DisallowedHost:
            body = render_to_string(BARE_ERROR_PAGE, context)
        else:
            body = render_to_string(ERROR_PAGE, context, request=request)
    response = HttpResponse(body, status=status)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception=None):
    """``handler400``: the site's page, not Django's bare one."""
    return error_page(request, 400, **_bad_request_texts())


def too_large(request):
    """What a request whose body is larger than the site takes is answered (413)."""
    return error_page(request, 413, **_too_large_texts())


# --- A file the site cannot store -------------------------------------------------------------

# What the operating system answers a write to a full disk, or past a quota.
STORAGE_FULL_ERRORS = {errno.ENOSPC, errno.EDQUOT}


def _storage_full_texts():
    return {
        "title": gettext_lazy("There is no room left to store files"),
        "message": gettext_lazy(
            "The file was not saved: the site's storage for uploaded files is full. Nothing "
            "was kept. Please tell the site's administrator, and try again once they have "
            "made room."
        ),
    }


def is_storage_full(exception):
    """Whether ``exception``, or one it was raised from, is a write refused for lack of room."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, OSError) and exception.errno in STORAGE_FULL_ERRORS:
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


class StorageFullMiddleware:
    """A file refused by a full storage (media on a full disk, a bucket past its quota) is
    answered with a message that says so instead of a server error.

    The model's row is written after its file (Django saves a file field's file before the
    row's INSERT), so a refused file leaves no row: what is left to do is to tell the user.
    Wagtail's multiple upload (images, documents) shows a refused file's ``error_message``
    beside it; the admin's other forms come back with the message at the top; elsewhere, the
    site's error page (507, Insufficient Storage). The error is logged for the administrator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_full(exception):
            return None
        logger.error("A file could not be stored: %s", exception, exc_info=exception)
        texts = _storage_full_texts()
        message = escape(texts["message"])
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "add_multiple":
            # Wagtail's own answer for a file it refuses (of a type it does not take, too big).
            return JsonResponse({"success": False, "error_message": message})
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            # The admin's other scripts (a chooser's upload tab) show the status as an error.
            return JsonResponse({"success": False, "error_message": message}, status=507)
        user = getattr(request, "user", None)
        admin = reverse("wagtailadmin_home")
        signed_in = user is not None and user.is_authenticated
        if request.method == "POST" and request.path.startswith(admin) and signed_in:
            # Back to the form, the message at the top of it.
            messages.error(request, texts["message"])
            return HttpResponseRedirect(request.get_full_path())
        return error_page(request, 507, **texts)
