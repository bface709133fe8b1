"""Middleware for security headers, for degrading gracefully when the database goes away, and for telling
requests apart in the logs and metrics."""

from __future__ import annotations

import logging
import time

from csp.middleware import CSPMiddleware, PolicyParts
from django import forms
from django.conf import settings
from js_asset.media import Media

from cso_press import metrics
from cso_press.observability import context
from cso_press.observability.proxies import behind_trusted_proxy

from .errors import database_outage_response
from .logging import new_request_id, valid_request_id

access_logger = logging.getLogger("cso_press.request")

# Asked every few seconds by load balancers and Prometheus: their access lines are written at DEBUG only, unless
# the answer is an error.
PROBE_VIEWS = frozenset({"healthz", "readyz", "metrics"})

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


class RequestObservabilityMiddleware:
    """Outermost: gives each request an id, and writes one access line and the metrics for it.

    The id comes from the trusted proxy's ``X-Request-ID`` when that is short and safe, else it is made here;
    the response carries it back in ``X-Request-ID``, and every log line written while the request is served
    carries it too (``cso_press.observability.context``). The access line (logger ``cso_press.request``, INFO)
    says the URL name, the status, the method, the path without query string or secrets and the time taken;
    the metrics count the same per URL name and status class, and what the anonymous page cache did
    (``request.cso_page_cache``: "hit", "miss" or "bypass", set by events.page_cache).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id
        token = context.begin(context.Activity(request_id=request_id, request=request))
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            seconds = time.perf_counter() - started
            self.record(request, response, seconds)
        finally:
            context.end(token)
        return response

    @staticmethod
    def record(request, response, seconds: float) -> None:
        view = context.view_name(request)
        status = response.status_code
        metrics.observe_request(view, status, seconds)
        metrics.count_page_cache(getattr(request, "cso_page_cache", ""))
        path = context.loggable_path(request)
        access_logger.log(
            logging.DEBUG if view in PROBE_VIEWS and status < 400 else logging.INFO,
            "%s %s %s",
            request.method,
            path,
            status,
            extra={
                "view": view,
                "duration_ms": round(seconds * 1000, 1),
                "status": status,
                "method": request.method,
                "path": path,
            },
        )


def request_id_for(request) -> str:
    """The trusted proxy's ``X-Request-ID`` when it is valid; a new id otherwise."""
    offered = request.META.get("HTTP_X_REQUEST_ID")
    if offered and valid_request_id(offered) and behind_trusted_proxy(request):
        return offered
    return new_request_id()
