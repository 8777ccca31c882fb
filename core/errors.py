"""The site's own error pages, answered from views: not found (404), a request the site
cannot read (400) or will not read (413).

With ``DEBUG`` on (the demo, a developer's machine) Django answers an ``Http404`` with its
technical page, which lists the site's URL patterns; a resident who mistypes a reference in
the demo must meet the site's page instead, with a word about what went wrong.
"""

from functools import wraps

from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy


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
