"""Whether a request came through the site's own reverse proxy, whose headers (X-Forwarded-For, X-Request-ID)
may then be believed."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def trusted_proxy_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``CSO_TRUSTED_PROXY_ADDRESSES`` as networks; entries that are not addresses are reported by a system check."""
    networks = []
    for entry in settings.CSO_TRUSTED_PROXY_ADDRESSES:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return networks


def behind_trusted_proxy(request) -> bool:
    """A proxy is declared (``CSO_TRUSTED_PROXY_COUNT``) and the request came from one of its addresses
    (from anywhere, when none are listed: `check --deploy` warns about that)."""
    if settings.CSO_TRUSTED_PROXY_COUNT <= 0:
        return False
    if not settings.CSO_TRUSTED_PROXY_ADDRESSES:
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in trusted_proxy_networks())
