"""The site's own middleware: input no form should ever see, and a memo per request."""

from contextvars import ContextVar

from django.http import QueryDict

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


class StripNulMiddleware:
    """Drop NUL characters from query strings and posted form fields.

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
            request.POST = _without_nul(request.POST)
        return self.get_response(request)
