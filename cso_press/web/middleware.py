"""Middleware for security headers and for degrading gracefully when the database goes away."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django import forms
from django.conf import settings
from js_asset.media import Media

from .errors import database_outage_response

# Types a browser would render as a document (and so run scripts in) if they were served inline.
ACTIVE_CONTENT_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}
# Uploaded types that may be shown inline; everything else is offered as a download.
INLINE_MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not send: the Permissions-Policy, and safe media headers.

    Uploaded files are normally served by the web server (see SECURITY.md); when Django serves them itself
    (DEBUG or ``CSO_SERVE_MEDIA``), markup types are downgraded to downloads and every file gets an explicit
    ``Content-Disposition`` and a sandboxing policy, so a file that slipped through the upload checks still
    cannot run in the site's origin.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CSO_PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        media_url = settings.MEDIA_URL
        if media_url.startswith("/") and request.path_info.startswith(media_url) and response.status_code == 200:
            make_media_response_safe(response, request.path_info.rsplit("/", 1)[-1])
        return response


def make_media_response_safe(response, filename: str) -> None:
    content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in ACTIVE_CONTENT_TYPES or not content_type:
        response["Content-Type"] = "application/octet-stream"
        content_type = "application/octet-stream"
    disposition = "inline" if content_type in INLINE_MEDIA_TYPES else "attachment"
    # Always ours: Django's static serve marks every file "inline", which is wrong for anything but these.
    safe_name = "".join(ch for ch in filename if ch.isalnum() or ch in "._-")[:100] or "download"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"


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
    """A lost or refused database connection becomes a plain 503 page instead of a server error
    (``errors.database_outage_response``, which also closes the broken connection)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return database_outage_response(request, exception)
