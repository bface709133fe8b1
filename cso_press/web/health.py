"""``/healthz`` (liveness) and ``/readyz`` (readiness) for load balancers and monitoring.

``/healthz`` only says the process answers: no database, no Redis, so that an outage elsewhere never makes a
supervisor restart a healthy process. ``/readyz`` says whether this server should get traffic: 503 while the
database does not answer (no page can be served), 200 "degraded" while the cache is down (pages are served
from the database, only slower), 200 "ok" otherwise. docs/observability.md, "Health and readiness".
"""

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
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": check_database(), "cache": check_cache()}
    if not checks["database"]["ok"]:
        status, code = "unavailable", 503
    elif not checks["cache"]["ok"]:
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks}, status=code)
