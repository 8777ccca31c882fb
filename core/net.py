"""The client's address, as far as the site can trust it."""

from django.conf import settings


def client_ip(request):
    """Return the address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT`` proxies in front of the site, each appends the address it
    received from to ``X-Forwarded-For``; the client's is the one the outermost trusted proxy
    appended. Anything to its left was written by the client and is not trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")
