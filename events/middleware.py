"""Middleware for security headers and for degrading gracefully when the database goes away."""

from __future__ import annotations

import logging

from csp.middleware import CSPMiddleware, PolicyParts
from django import forms
from django.conf import settings
from js_asset.media import Media

from .errors import DATABASE_ERRORS, close_broken_connections, database_unavailable

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not send: the Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CSO_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


def is_admin_path(path: str) -> bool:
    return path.startswith("/" + settings.CSO_ADMIN_PATH)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with a slightly wider policy on admin pages, and nonces for admin media.

    The public site gets the strict policy from ``CONTENT_SECURITY_POLICY`` unchanged. On admin pages
    ``CSO_ADMIN_CSP_UPDATE`` is added, and the widget media of every admin page (the rich-text editor's
    import map and module scripts among them) carries the request's nonce, so the only inline script that
    runs is one the server wrote for this very response.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and is_admin_path(request.path_info):
            extra = getattr(settings, "CSO_ADMIN_CSP_UPDATE", None) or {}
            merged = {key: list(value) for key, value in (parts.update or {}).items()}
            for directive, sources in extra.items():
                merged.setdefault(directive, []).extend(sources)
            parts.update = merged
            if "script-src" in extra and parts.nonce is None:
                # The policy names a nonce; make sure the header carries one even if no tag used it.
                parts.nonce = str(request.csp_nonce)
        return parts

    def process_template_response(self, request, response):
        context = getattr(response, "context_data", None)
        if not is_admin_path(request.path_info) or not isinstance(context, dict):
            return response
        media = context.get("media")
        if isinstance(media, forms.Media):
            context["media"] = Media.from_media(media, nonce=request.csp_nonce)
        return response


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection becomes a plain 503 page instead of a server error.

    The broken connection is closed straight away so that the next request opens a fresh one: the site
    recovers by itself as soon as the database is back, without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error("Database unavailable while serving %s: %s", request.path, exception)
        close_broken_connections()
        return database_unavailable(request)
