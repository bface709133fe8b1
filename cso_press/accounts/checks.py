"""Deployment checks (``manage.py check --deploy``) for the login: the proxy settings and the admin's path.

Registered by ``AccountsConfig.ready()``. They run only with ``--deploy``; a correct production configuration
keeps them silent: ``DJANGO_TRUSTED_PROXY_ADDRESSES`` listed whenever ``DJANGO_TRUSTED_PROXY_COUNT`` is set,
and a ``DJANGO_ADMIN_PATH`` other than ``admin/``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.checks import Error, Warning

DEFAULT_ADMIN_PATH = "admin/"


def check_trusted_proxies(app_configs=None, **kwargs) -> list:
    """X-Forwarded-For is trusted only when the proxies that write it are declared."""
    issues = []
    addresses = settings.CSO_TRUSTED_PROXY_ADDRESSES
    for entry in addresses:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            issues.append(
                Error(
                    f"DJANGO_TRUSTED_PROXY_ADDRESSES holds {entry!r}, which is not an IP address or network.",
                    hint="List the proxies' addresses or networks, comma-separated (e.g. 127.0.0.1,10.0.0.0/24).",
                    id="accounts.E001",
                )
            )
    if settings.CSO_TRUSTED_PROXY_COUNT > 0 and not addresses:
        issues.append(
            Warning(
                "DJANGO_TRUSTED_PROXY_COUNT is set, but no trusted proxy is declared: the client address for "
                "login throttling is read from X-Forwarded-For on every request, so a client that reaches the "
                "site directly can write any address there and is never locked out by address.",
                hint="Set DJANGO_TRUSTED_PROXY_ADDRESSES to the addresses your reverse proxy connects from "
                "(e.g. 127.0.0.1), or set DJANGO_TRUSTED_PROXY_COUNT=0 if nothing sits in front of the site.",
                id="accounts.W001",
            )
        )
    return issues


def check_admin_path(app_configs=None, **kwargs) -> list:
    if settings.CSO_ADMIN_PATH.strip("/").lower() == DEFAULT_ADMIN_PATH.strip("/"):
        return [
            Warning(
                "The admin is at the default path /admin/, the first address bots try their password lists on.",
                hint="Set DJANGO_ADMIN_PATH to a path of your own (e.g. newsroom-7f3k/).",
                id="accounts.W002",
            )
        ]
    return []
