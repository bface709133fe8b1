"""Whole-page cache for anonymous readers, that can never hide a due release or show a changed one stale.

Four rules keep it correct:
- Entries carry a *content version*, changed after every committed change to a press-office record
  (``events/cache_invalidation.py``); an entry from another version is never served, so an edit, a
  withdrawal or a new photo is visible on the next request.
- That version lives in the database (``ContentVersion``, one row), not in Redis with the pages: a Redis
  restarted from an old snapshot, or one that evicted keys under ``maxmemory``, can bring back old entries
  but never the version that made them current. A hit costs one Redis round trip and one primary-key read.
- An entry is valid only until the next scheduled publication time (and the next local midnight, when
  "today" moves on), so a scheduled release appears at its minute without any job running.
- Only anonymous GETs of public pages are cached; anything that sets a cookie, is private (embargo pages),
  or is not a 200 passes through untouched. Staff with a session never see a cached page. A public page
  only ever sees the query parameters it reads (``QUERY_PARAMETERS``): tracking tags and made-up names are
  dropped before the page or the cache key is made, so they cannot multiply entries.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, Error, connection
from django.http import QueryDict
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from .media.links import GRANT_PARAMETER
from .models import ContentVersion, Event
from .models.content_version import ROW_ID
from .navigation import BACK_PARAMETER

NEXT_PUBLISH_KEY = "cso:next-publish:{version}"
PAGE_KEY = "cso:page:{digest}"
# Paths outside the language prefix that are public and cacheable, with their URL names.
EXTRA_PUBLIC_PATHS = {"/sitemap.xml": "sitemap", "/robots.txt": "robots"}
NEVER_CACHED_PARTS = ("/embargo/", "/preview/")
# The public pages inside the language prefix.
PUBLIC_URLCONF = "events.urls"

# The query parameters each public page reads, by URL name; a page not named here reads none. Everything else
# in a query string (utm_*, fbclid, gclid, any made-up name) is removed from the request before the page or
# the cache key is made: the page would ignore it anyway, and a reader's tracking tag must not cost a full
# render and a new cache entry. A page that starts reading a new parameter must be added here.
PAGE_NUMBER = "page"
SITEMAP_PAGE_NUMBER = "p"
LIST_FILTERS = frozenset(
    {"q", "section", "kind", "date_from", "date_to", "year", "person", "organization", "language"}
)  # the fields of events.filters.EventFilter (a test keeps the two equal)
QUERY_PARAMETERS: dict[str, frozenset[str]] = {
    "list": LIST_FILTERS | {PAGE_NUMBER},
    "section": LIST_FILTERS | {PAGE_NUMBER},
    "search": frozenset({"q", PAGE_NUMBER}),
    "detail": frozenset({BACK_PARAMETER}),
    "upcoming": frozenset({PAGE_NUMBER}),
    "people": frozenset({PAGE_NUMBER}),
    "person": frozenset({PAGE_NUMBER}),
    "organizations": frozenset({PAGE_NUMBER}),
    "organization": frozenset({PAGE_NUMBER}),
    "sitemap": frozenset({SITEMAP_PAGE_NUMBER}),
    # Journalists' downloads of an embargoed release carry the embargo page's signed grant (never cached:
    # those answers are private).
    "photos-zip": frozenset({GRANT_PARAMETER}),
    "photo-download": frozenset({GRANT_PARAMETER}),
    "document-download": frozenset({GRANT_PARAMETER}),
}


# The content version as this request first read it: a page asks for it several times (its total, each
# filter menu, "other events"), and one answer per request is enough. None outside a request.
_request_version: ContextVar[dict | None] = ContextVar("cso_request_version", default=None)


@contextmanager
def one_version_per_request(version: str | None = None) -> Iterator[None]:
    """Within this block ``content_version()`` reads the database at most once (``version``: already read)."""
    token = _request_version.set({"version": version} if version is not None else {})
    try:
        yield
    finally:
        _request_version.reset(token)


def content_version() -> str:
    memo = _request_version.get()
    if memo and "version" in memo:
        return memo["version"]
    version = str(_stored_version())
    if memo is not None:
        memo["version"] = version
    return version


@lru_cache(maxsize=1)
def _version_query() -> str:
    # Written once by hand: the ORM would spend longer compiling this query than a cache hit costs in all.
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    return f"SELECT version FROM {table} WHERE id = %s"  # noqa: S608 - a table name of our own, no input


def database_outage_response(request, exception: Exception):
    """The site's answer to a database error that means an outage (its 503 page), or None for any other error.

    The project says what an outage looks like (``CSO_DATABASE_OUTAGE_RESPONSE``, the callable its own outage
    middleware uses), so that a page this middleware cannot check answers exactly as any other page would,
    and ``events`` need not import the project's error pages.
    """
    return import_string(settings.CSO_DATABASE_OUTAGE_RESPONSE)(request, exception)


def _stored_version() -> int:
    # With CONN_HEALTH_CHECKS Django would first send "SELECT 1" on a kept connection, once per request; this
    # read is usually the request's first query and tells as much, so it stands in for that check, and a kept
    # connection that the database dropped (a restart) is replaced once, as the check would have done.
    checks_this_connection = (
        connection.connection is not None
        and not connection.in_atomic_block
        and getattr(connection, "health_check_enabled", False)
        and not getattr(connection, "health_check_done", True)
    )
    if checks_this_connection:
        connection.health_check_done = True
    try:
        row = _read_version_row()
    except Error:
        if not checks_this_connection:
            raise
        connection.close()
        row = _read_version_row()
    if row is not None:
        return row[0]
    # Only if the row made by the migration was removed (a flushed test database): make it again.
    stored, _created = ContentVersion.objects.get_or_create(
        pk=ROW_ID, defaults={"version": secrets.randbits(63), "changed_at": timezone.now()}
    )
    return stored.version


def _read_version_row() -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(_version_query(), [ROW_ID])
        return cursor.fetchone()


def bump_content_version() -> int:
    """Make every cached page and value obsolete at once (old keys simply stop being asked for).

    The new version is random rather than the old one plus one, so that a database restored from a backup
    never reaches again a number whose pages Redis may still hold.
    """
    version = secrets.randbits(63)
    changes = {"version": version, "changed_at": timezone.now()}
    if not ContentVersion.objects.filter(pk=ROW_ID).update(**changes):
        ContentVersion.objects.update_or_create(pk=ROW_ID, defaults=changes)
    memo = _request_version.get()
    if memo is not None:
        memo["version"] = str(version)  # what this request reads from now on is the new content
    return version


def next_scheduled_publication(version: str) -> float | None:
    """Unix time of the next scheduled release becoming public, memoised per content version."""
    key = NEXT_PUBLISH_KEY.format(version=version)
    stored = cache.get(key)
    now = time.time()
    if stored is not None and (stored == 0 or stored > now):
        return stored or None
    upcoming = Event.objects.scheduled().order_by("publish_at").values_list("publish_at", flat=True).first()
    value = upcoming.timestamp() if upcoming else 0
    cache.set(key, value, timeout=None if value == 0 else max(1, int(value - now) + 1))
    return value or None


def _next_local_midnight(now: float) -> float:
    local = timezone.localtime(datetime.fromtimestamp(now, tz=timezone.get_current_timezone()))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp()


def valid_until(version: str, now: float, limit: int | None = None) -> float:
    """Until when something computed now from public data stays true: the lifetime, the next midnight (when
    "today" moves) and the next scheduled publication, whichever comes first."""
    limits = [now + (settings.CSO_PAGE_CACHE_SECONDS if limit is None else limit), _next_local_midnight(now)]
    scheduled = next_scheduled_publication(version)
    if scheduled:
        limits.append(scheduled)
    return min(limits)


def remembered(kind: str, key: str, compute, limit: int = 300):
    """``compute()``, kept per content version until the next scheduled publication (``limit`` s at most).

    For small values derived from public content (a list's total, the ids of "other events"): they change
    only when content changes or a scheduled release comes out, so neither can leave them stale.
    """
    version = content_version()
    cache_key = f"cso:{kind}:{version}:{hashlib.sha256(key.encode()).hexdigest()}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        now = time.time()
        lifetime = int(valid_until(version, now, limit=limit) - now)
        if lifetime > 0:
            cache.set(cache_key, value, timeout=lifetime)
    return value


def _is_public_path(path: str) -> bool:
    if path in EXTRA_PUBLIC_PATHS:
        return True
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return path.startswith(prefixes) and not any(part in path for part in NEVER_CACHED_PARTS)


@lru_cache(maxsize=512)
def _page_name(path: str) -> str:
    """The URL name of a public path ("" when none matches: that answer is a 404 whatever the query)."""
    if path in EXTRA_PUBLIC_PATHS:
        return EXTRA_PUBLIC_PATHS[path]
    # Public routes are the same in every language; the prefix only chooses the language.
    _language, _slash, rest = path[1:].partition("/")
    try:
        return get_resolver(PUBLIC_URLCONF).resolve(f"/{rest}").url_name or ""
    except Resolver404:
        return ""


def _page_number(value: str) -> str:
    """A page number the one way of all those the paginator reads alike ("02", " 2", "2" are page 2)."""
    try:
        return str(int(value))
    except ValueError:
        return value  # "last", or something the view answers with a 404 (never cached)


def public_query_string(path: str, query: QueryDict) -> str:
    """The query string of ``query`` as the page at ``path`` reads it: its own parameters only, sorted, the
    last value of each (the one a page reads), page numbers written one way."""
    allowed = QUERY_PARAMETERS.get(_page_name(path), frozenset())
    kept = []
    for name in sorted(allowed.intersection(query)):
        value = query[name]
        kept.append((name, _page_number(value) if name in (PAGE_NUMBER, SITEMAP_PAGE_NUMBER) else value))
    return urlencode(kept)


def keep_public_parameters(request) -> None:
    """Leave on ``request`` only the query parameters its page reads (see ``QUERY_PARAMETERS``)."""
    if not request.META.get("QUERY_STRING"):
        return
    query_string = public_query_string(request.path_info, request.GET)
    request.META["QUERY_STRING"] = query_string
    request.GET = QueryDict(query_string, encoding=request.encoding)


def request_is_cacheable(request) -> bool:
    return (
        settings.CSO_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and _is_public_path(request.path)
    )


def response_is_cacheable(response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


class AnonymousPageCacheMiddleware:
    """Sits near the top of ``MIDDLEWARE``: a hit is answered before sessions, locale, CSRF and auth run.

    The stored response already carries the headers the middleware below it added on the miss (ETag, the
    content security policy, Permissions-Policy, X-Frame-Options), so a hit costs the content version (one
    primary-key read from the database) and one cache round trip; an entry from another version is ignored.

    While the database is unreachable nothing can say whether a cached page is still current (a release may
    have been withdrawn just before), so a cacheable request is answered with the same 503 page as any
    other: serving a withdrawn release would be worse than a short outage.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and _is_public_path(request.path):
            keep_public_parameters(request)
        if not request_is_cacheable(request):
            with one_version_per_request():
                return self.get_response(request)
        digest = hashlib.sha256(f"{request.get_host()}|{request.get_full_path()}".encode()).hexdigest()
        key = PAGE_KEY.format(digest=digest)
        try:
            version = str(_stored_version())
        except Error as exc:
            response = database_outage_response(request, exc)
            if response is None:
                raise
            return response
        entry = cache.get(key)
        now = time.time()
        if entry is not None and entry["version"] == version and entry["valid_until"] > now:
            response = entry["response"]
            response["X-Page-Cache"] = "hit"
            response["Cache-Control"] = self._browser_control(entry["control"], entry["valid_until"] - now)
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        with one_version_per_request(version):
            response = self.get_response(request)
        if response_is_cacheable(response):
            try:
                until = valid_until(version, now)
            except DatabaseError:
                return response
            lifetime = until - now
            if lifetime >= 1:
                control = [
                    part.strip()
                    for part in response.get("Cache-Control", "").split(",")
                    if part.strip() and not part.strip().lower().startswith(("max-age", "public"))
                ]
                response["Cache-Control"] = self._browser_control(control, lifetime)
                entry = {"version": version, "valid_until": until, "control": control, "response": response}
                cache.set(key, entry, timeout=int(lifetime) + 1)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _browser_control(control: list[str], seconds: float) -> str:
        # Browsers and CDNs may keep the page for a short while, but never past the next scheduled release.
        max_age = max(0, min(int(seconds), settings.CSO_BROWSER_CACHE_SECONDS))
        return ", ".join(["public", *control, f"max-age={max_age}"])
