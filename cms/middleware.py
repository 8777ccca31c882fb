"""Input no form should ever see."""

from django.http import QueryDict


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
