"""The client's address, as far as the site can trust it."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _networks(trusted):
    """The networks of ``TRUSTED_PROXIES`` (addresses or CIDR networks), parsed once."""
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _address(text):
    """``text`` as an IP address, or None when it is not one (garbage, a name, a port)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443", as some proxies write it
        text = text[1 : text.index("]")]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks):
    if address is None:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_ip(request):
    """Return the address of the client that sent ``request``.

    ``X-Forwarded-For`` is believed only as far as it was written by the proxies named in
    ``TRUSTED_PROXIES``: starting from the address the request came from (``REMOTE_ADDR``),
    and only if that is a trusted proxy, the header is read from the right, each hop a trusted
    proxy passing the word to the one before; the first address that is not a trusted proxy is
    the client. Anything to its left was written by the client and is not trusted. A request
    straight from a client (no trusted proxy) is that client, whatever its header says.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not hop.strip():
            continue
        address = _address(hop)
        if address is None:
            # Not an address: whatever wrote it is not to be believed, and the last trusted
            # proxy's own address stands for the client (the limits then count it together).
            return client
        client = str(address)
        if not _trusted(address, networks):
            return client
    return client
