"""The site's own not-found page, answered from a view.

With ``DEBUG`` on (the demo, a developer's machine) Django answers an ``Http404`` with its
technical page, which lists the site's URL patterns; a resident who mistypes a reference in
the demo must meet the site's page instead, with a word about what went wrong.
"""

from functools import wraps

from django.http import Http404
from django.template.response import TemplateResponse


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
