"""The address a request came from, as far as Pact can trust it.

Behind N reverse proxies (TRUSTED_PROXY_COUNT), each proxy appends the address it received
the request from to X-Forwarded-For, and the last one is the request's peer (REMOTE_ADDR). So
the client is the N-th entry from the right: everything to its left was written by the client
and may be forged. With no proxy, the client is the peer itself. (django-ipware, which
django-axes would otherwise use, counts proxies differently and can return a forged entry or
none; sign-in lockouts hang on this address, so it is decided here, plainly.)
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    peer = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_COUNT
    if not trusted:
        return peer
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < trusted or not entries[-trusted]:
        # The request did not come through every trusted proxy: only the peer is known.
        return peer
    try:
        return str(ipaddress.ip_address(entries[-trusted]))
    except ValueError:
        return peer
