"""The site's own middleware: input no form should ever see (NUL characters, a form that
cannot be read), no-store for what a logged-in user is shown, and a memo per request."""

import logging
from contextvars import ContextVar
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

from . import errors, limits

logger = logging.getLogger(__name__)

# What is read at most once per request (the site's view restrictions, see core.pages).
_request_memo = ContextVar("community_request_memo", default=None)


def request_memo():
    """The current request's memo (a dict), or None outside a request."""
    return _request_memo.get()


class RequestMemoMiddleware:
    """Gives each request a fresh memo for what is read once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            _request_memo.reset(token)


class NoStoreForUsersMiddleware:
    """``Cache-Control: no-store`` on everything rendered for a logged-in user.

    Every page shows who is signed in, and many their own state (a ballot cast, an open vote
    they may still cast): no browser cache, shared computer or proxy may keep it. Pages that
    show an anonymous visitor's own things (an opinion's or a request's status, the login form)
    say so themselves (``never_cache``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


def _without_nul(query_dict):
    if not any(
        "\x00" in value
        for values in query_dict.lists()
        for value in values[1]
        if isinstance(value, str)
    ):
        return query_dict
    clean = QueryDict(mutable=True, encoding=query_dict.encoding)
    for key, values in query_dict.lists():
        clean.setlist(
            key.replace("\x00", ""),
            [v.replace("\x00", "") if isinstance(v, str) else v for v in values],
        )
    clean._mutable = False
    return clean


def _check_utf8(request):
    """Refuse a form whose bytes are not UTF-8 text.

    A form sent this way is UTF-8 (Django refuses one declaring another charset), yet Django
    reads each byte that is not text as "\ufffd" and a form kept that way holds a mangled
    name or opinion nobody wrote: the request is refused as unreadable instead.
    """
    try:
        unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("The form's fields are not UTF-8 text.") from error


class StripNulMiddleware:
    """Drop NUL characters from query strings and posted form fields, and refuse a form that
    is not UTF-8 text.

    Nobody types one on purpose, nothing here needs one, and PostgreSQL refuses them in
    text: a filter or a reason holding one would end in a server error instead of a page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            request.GET = _without_nul(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                if request.content_type == "application/x-www-form-urlencoded":
                    _check_utf8(request)
                request.POST = _without_nul(request.POST)
                limits.check_field_count(request)
            except UNREADABLE as error:
                return _unreadable(request, error)
        return self.get_response(request)


# A posted form Django cannot read: a charset other than UTF-8, a broken multipart body, too
# many fields, a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
UNREADABLE = (BadRequest, SuspiciousOperation, MultiPartParserError, UnreadablePostError)


def _unreadable(request, error):
    """The site's 400 (413 for a body too large) for a form that cannot be read.

    Django leaves such a request raising again at every later read of ``request.POST``; its
    own remedy for a broken multipart body (an empty form) is applied to all of them, so that
    nothing that reads the form afterwards (an error handler, the debug page, a log handler)
    turns the 400 into a server error."""
    request._mark_post_parse_error()
    logger.warning("Unreadable form posted to %s: %s", request.path, error)
    if isinstance(error, RequestDataTooBig):
        return errors.too_large(request)
    return errors.bad_request(request, error)
