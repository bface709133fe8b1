"""``/healthz`` for load balancers and monitoring: the database and the cache, each checked on its own."""

from __future__ import annotations

import logging
import secrets
import time

from django.core.cache import cache
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .errors import close_broken_connections

logger = logging.getLogger(__name__)


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the detail goes to the log only.
        logger.warning("Health check: database unavailable: %s", exc)
        close_broken_connections()
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_cache() -> dict:
    """A write and a read-back; the cache backend swallows outages, so a missing value means "down"."""
    if isinstance(cache, DummyCache):
        return {"ok": True, "backend": "dummy"}
    started = time.monotonic()
    key = "healthz:" + secrets.token_hex(8)
    try:
        cache.set(key, "ok", timeout=10)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Health check: cache unavailable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    if not ok:
        return {"ok": False, "error": "no round trip"}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "cache": check_cache()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
