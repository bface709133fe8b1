"""Whole-page cache for anonymous readers, that can never hide a due release or show a changed one stale.

Four rules keep it correct:
- Each entry records the *tags* of what it shows (``page_tags``: ``release:12``, ``section:3``,
  ``person:7``, ``organisation:2``, ``language:en``, ``list:home`` …) and the version of each tag when the
  page was made. A committed change gives new versions to the tags of the pages that show it
  (``events/cache_invalidation.py``), and an entry whose tags moved on is never served: an edit, a withdrawal
  or a new photo is visible on the next request, while every page that does not show it stays cached.
- Those versions live in the database (``CacheTagVersion``, a row per tag ever changed), not in Redis with
  the pages: a Redis restarted from an old snapshot, or one that evicted keys under ``maxmemory``, can bring
  back old entries but never the versions that made them current, and several app servers sharing one
  database agree on them. A hit costs one Redis round trip and one indexed read of the entry's few tags.
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
from django.core.cache import cache, caches
from django.db import DatabaseError, Error, connection
from django.db.models import Q
from django.http import QueryDict
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.module_loading import import_string

from .media.links import GRANT_PARAMETER
from .models import (
    CacheTagVersion,
    ContentVersion,
    Event,
    EventParticipant,
    EventPressContact,
    Organization,
    Person,
    Section,
)
from .models.content_version import ROW_ID
from .navigation import BACK_PARAMETER

NEXT_PUBLISH_KEY = "cso:next-publish:{version}"
PAGE_KEY = "cso:page:{digest}"

# Cache tags: what a page shows, by kind. Every page carries ALL_TAG (changed when everything must go: an
# archive restore), SITE_TAG (the office's identity in every header and footer), SCHEDULE_TAG (changed when a
# release is scheduled sooner than a cached page would expire) and its language's tag.
ALL_TAG = "all"
SITE_TAG = "site"
SCHEDULE_TAG = "schedule"
HOME_LIST = "list:home"
ALL_EVENTS_LIST = "list:all-events"
CALENDAR_LIST = "list:calendar"
UPCOMING_LIST = "list:upcoming"
FEEDS_LIST = "list:feeds"
SITEMAP_LIST = "list:sitemap"
SEARCH_LIST = "list:search"
# Pages showing the names of people, organisations or sections beyond their own (indexes, filter menus,
# press contacts, release rows with their section).
PEOPLE_LIST = "list:people"
ORGANISATIONS_LIST = "list:organisations"
SECTIONS_LIST = "list:sections"


def release_tag(pk: int) -> str:
    return f"release:{pk}"


def section_tag(pk: int) -> str:
    return f"section:{pk}"


def person_tag(pk: int) -> str:
    return f"person:{pk}"


def organisation_tag(pk: int) -> str:
    return f"organisation:{pk}"


def language_tag(code: str) -> str:
    return f"language:{code}"


# The tags of each public page besides the ones read from its address (``page_tags``), by URL name.
ROW_LISTS = (PEOPLE_LIST, ORGANISATIONS_LIST, SECTIONS_LIST)  # rows and filter menus show these names
PAGE_LIST_TAGS: dict[str, tuple[str, ...]] = {
    "home": (HOME_LIST, SECTIONS_LIST),
    "list": (ALL_EVENTS_LIST, *ROW_LISTS),
    "detail": (SECTIONS_LIST,),  # "other events" rows
    "calendar": (CALENDAR_LIST,),
    "calendar-month": (CALENDAR_LIST,),
    "calendar-day": (CALENDAR_LIST, SECTIONS_LIST),
    "upcoming": (UPCOMING_LIST, SECTIONS_LIST),
    "sections": (SECTIONS_LIST,),
    "section": ROW_LISTS,
    "people": (PEOPLE_LIST, ORGANISATIONS_LIST),
    "person": (SECTIONS_LIST,),
    "organizations": (ORGANISATIONS_LIST,),
    "organization": (PEOPLE_LIST, SECTIONS_LIST),
    "contacts": (PEOPLE_LIST, ORGANISATIONS_LIST),
    "search": (SEARCH_LIST, SECTIONS_LIST),
    # Feeds and calendars name each release's section (item categories).
    "feed-rss": (FEEDS_LIST, SECTIONS_LIST),
    "feed-atom": (FEEDS_LIST, SECTIONS_LIST),
    "section-feed-rss": (SECTIONS_LIST,),
    "section-feed-atom": (SECTIONS_LIST,),
    "ics": (CALENDAR_LIST, SECTIONS_LIST),
    "section-ics": (SECTIONS_LIST,),
    # The addresses of sections, people and organisations with a public page.
    "sitemap": (SITEMAP_LIST, *ROW_LISTS),
}
# URL names whose ``slug`` names a release, a section, a person or an organisation.
RELEASE_PAGES = frozenset({"detail", "event-ics", "photos-zip", "photo-download", "document-download"})
SECTION_PAGES = frozenset({"section", "section-feed-rss", "section-feed-atom", "section-ics"})
PERSON_PAGES = frozenset({"person", "contact-vcard"})
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
def one_version_per_request(version: str | None = None, tags: dict[str, int] | None = None) -> Iterator[None]:
    """Within this block ``content_version()`` reads the database at most once (``version``: already read);
    ``tags``: the tag versions already read, for ``tag_version_if_read``."""
    memo = {"version": version} if version is not None else {}
    if tags:
        memo["tags"] = tags
    token = _request_version.set(memo)
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


def tag_version_if_read(tag: str) -> int | None:
    """The version of ``tag`` if this request has read it already (the page cache reads the tags of the page
    it is about to make), else None: no query."""
    memo = _request_version.get()
    tags = memo.get("tags") if memo else None
    return tags.get(tag) if tags else None


def once_per_request(key: str, compute):
    """``compute()``, worked out once in this request and reused for the rest of it (outside a request, every
    time). For values a page asks for several times over and that the request itself does not change: the
    office's identity is named in the title, the head, the header and the footer."""
    memo = _request_version.get()
    if memo is None:
        return compute()
    kept = memo.setdefault("values", {})
    if key not in kept:
        kept[key] = compute()
    return kept[key]


def forget_in_request(prefix: str) -> None:
    """Drop what ``once_per_request`` kept in this request under keys starting with ``prefix`` (the value was
    just changed)."""
    memo = _request_version.get()
    kept = memo.get("values") if memo else None
    if kept:
        for key in [key for key in kept if key.startswith(prefix)]:
            del kept[key]


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


def _checking_connection(read):
    """``read()``, standing in for Django's connection health check.

    With CONN_HEALTH_CHECKS Django would first send "SELECT 1" on a kept connection, once per request; this
    read is usually the request's first query and tells as much, so it stands in for that check, and a kept
    connection that the database dropped (a restart) is replaced once, as the check would have done.
    """
    checks_this_connection = (
        connection.connection is not None
        and not connection.in_atomic_block
        and getattr(connection, "health_check_enabled", False)
        and not getattr(connection, "health_check_done", True)
    )
    if checks_this_connection:
        connection.health_check_done = True
    try:
        return read()
    except Error:
        if not checks_this_connection:
            raise
        connection.close()
        return read()


def _stored_version() -> int:
    row = _checking_connection(_read_version_row)
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


def tag_versions(tags) -> dict[str, int]:
    """The current version of each of ``tags`` (0 for a tag never changed), in one indexed query."""
    tags = sorted(set(tags))

    def read() -> dict[str, int]:
        table = connection.ops.quote_name(CacheTagVersion._meta.db_table)
        marks = ", ".join(["%s"] * len(tags))
        with connection.cursor() as cursor:
            # Written by hand for the same reason as the content version's: this is the whole cost of a hit.
            cursor.execute(f"SELECT tag, version FROM {table} WHERE tag IN ({marks})", tags)  # noqa: S608
            stored = dict(cursor.fetchall())
        return {tag: stored.get(tag, 0) for tag in tags}

    return _checking_connection(read)


def drop_tags(tags) -> set[str]:
    """Make every cached page showing any of ``tags`` obsolete (run after the change is committed).

    Each tag gets a new random version in one statement; the content version that keys the smaller kept
    values (``remembered``) changes too, since what they were computed from may have changed.
    """
    tags = set(tags)
    if tags:
        _new_tag_versions(tags)
        _change_content_version()
    return tags


def schedule_changed() -> None:
    """A release was scheduled or its time moved: the next scheduled publication is worked out again."""
    _change_content_version()


def bump_content_version() -> int:
    """Make every cached page and value obsolete at once (old keys simply stop being asked for): after an
    archive restore or a bulk load, where nobody listed what changed."""
    _new_tag_versions({ALL_TAG})
    return _change_content_version()


def _change_content_version() -> int:
    """A new content version: the values kept by ``remembered`` are computed again.

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


def _new_tag_versions(tags: set[str]) -> None:
    now = timezone.now()
    CacheTagVersion.objects.bulk_create(
        [CacheTagVersion(tag=tag, version=secrets.randbits(63), changed_at=now) for tag in sorted(tags)],
        update_conflicts=True,
        unique_fields=["tag"],
        update_fields=["version", "changed_at"],
    )


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


# Where ``remembered_here`` keeps its copies in this process: the per-process cache of the page chrome (a local
# memory cache, emptied with the others between tests).
HERE_CACHE = "here"


def remembered_here(kind: str, key: str, compute, limit: int = 300):
    """``remembered``, with a copy kept in this process as well, so that a page asking for several such values
    (its rows, its form, its keys) does not pay a Redis round trip for each.

    The copy is filed under the same key (the content version, read from the database once per request, is in
    it) and dropped at the same moment as the shared value would be (``valid_until``: the next scheduled
    publication, local midnight, ``limit``), so it is exactly as current; like any local memory cache it
    gives each caller its own copy."""
    version = content_version()
    cache_key = f"cso:{kind}:{version}:{hashlib.sha256(key.encode()).hexdigest()}"
    here = caches[HERE_CACHE]
    value = here.get(cache_key)
    if value is not None:
        return value
    value = remembered(kind, key, compute, limit=limit)
    if value is None:  # never kept (an address that answers nothing): not worth a place here either
        return value
    now = time.time()
    lifetime = int(valid_until(version, now, limit=limit) - now)
    if lifetime > 0:
        here.set(cache_key, value, timeout=lifetime)
    return value


def remembered_until(kind: str, key: str, compute, limit: int = 300):
    """As ``remembered``, for a value that also goes out of date at a moment of its own: ``compute()`` returns
    ``(value, ends)``, ``ends`` a Unix time (or None) after which the value may no longer be true (the "upcoming"
    events stop being upcoming as each is over). It is kept no later than that moment."""
    version = content_version()
    cache_key = f"cso:{kind}:{version}:{hashlib.sha256(key.encode()).hexdigest()}"
    value = cache.get(cache_key)
    if value is None:
        value, ends = compute()
        now = time.time()
        until = valid_until(version, now, limit=limit)
        if ends is not None:
            until = min(until, ends)
        lifetime = int(until - now)
        if lifetime > 0:
            cache.set(cache_key, value, timeout=lifetime)
    return value


def _is_public_path(path: str) -> bool:
    if path in EXTRA_PUBLIC_PATHS:
        return True
    prefixes = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
    return path.startswith(prefixes) and not any(part in path for part in NEVER_CACHED_PARTS)


@lru_cache(maxsize=512)
def _page_match(path: str) -> tuple[str, tuple[tuple[str, object], ...]]:
    """The URL name of a public path and its arguments ("" when none matches: a 404 whatever the query)."""
    if path in EXTRA_PUBLIC_PATHS:
        return EXTRA_PUBLIC_PATHS[path], ()
    # Public routes are the same in every language; the prefix only chooses the language.
    _language, _slash, rest = path[1:].partition("/")
    try:
        match = get_resolver(PUBLIC_URLCONF).resolve(f"/{rest}")
    except Resolver404:
        return "", ()
    return match.url_name or "", tuple(sorted(match.kwargs.items()))


def _page_name(path: str) -> str:
    return _page_match(path)[0]


def page_tags(path: str) -> list[str]:
    """The cache tags of the public page at ``path``: what it shows, read from its address (a few small
    queries for a page about one release, section, person or organisation; none for a list)."""
    name, arguments = _page_match(path)
    kwargs = dict(arguments)
    tags = {ALL_TAG, SITE_TAG, SCHEDULE_TAG, *PAGE_LIST_TAGS.get(name, ())}
    language = None if path in EXTRA_PUBLIC_PATHS else path[1:].partition("/")[0]
    if language:
        tags.add(language_tag(language))
    slug = kwargs.get("slug")
    if name in RELEASE_PAGES:
        tags |= _release_page_tags(slug, language)
    elif name in SECTION_PAGES:
        for pk, parent in Section.objects.filter(slug=slug).values_list("pk", "parent_id"):
            tags |= {section_tag(pk)} | ({section_tag(parent)} if parent else set())
    elif name in PERSON_PAGES:
        for pk, organisation in Person.objects.filter(slug=slug).values_list("pk", "organization_id"):
            tags |= {person_tag(pk)} | ({organisation_tag(organisation)} if organisation else set())
    elif name == "organization":
        tags |= {organisation_tag(pk) for pk in Organization.objects.filter(slug=slug).values_list("pk", flat=True)}
    return sorted(tags)


def _release_page_tags(slug: str, language: str) -> set[str]:
    """A release's page shows the release, its section (and the parent's name), its people with their
    organisations, its organisations, and "other events" of that section and those people."""
    row = Event.objects.filter(slug=slug, language=language).values_list("pk", "section_id", "section__parent_id")
    found = row.first()
    if found is None:
        return set()
    pk, section, parent = found
    tags = {release_tag(pk), section_tag(section)} | ({section_tag(parent)} if parent else set())
    linked = Q(pk__in=EventParticipant.objects.filter(event=pk).values("person")) | Q(
        pk__in=EventPressContact.objects.filter(event=pk).values("person")
    )
    for person, organisation in Person.objects.filter(linked).values_list("pk", "organization_id"):
        tags |= {person_tag(person)} | ({organisation_tag(organisation)} if organisation else set())
    organisations = Event.organizations.through.objects.filter(event=pk).values_list("organization", flat=True)
    tags |= {organisation_tag(organisation) for organisation in organisations}
    return tags


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


def shared_cache_control(control: list[str], seconds: float, cut_short: bool) -> str:
    """``Cache-Control`` of an anonymous public page that may be kept ``seconds`` more.

    Browsers keep it CSO_BROWSER_CACHE_SECONDS at most, a shared cache in front (a CDN, the proxy) the whole
    ``seconds`` (``s-maxage``): both end at the next scheduled publication or local midnight, whichever comes
    first, and a committed change purges the shared cache by tag in between. A shared cache may serve the old
    page a little longer while it fetches a new one (``stale-while-revalidate``), but not when the page ends
    because a release comes out or "today" moves (``cut_short``): then the new page is due at that second.
    """
    seconds = max(0, int(seconds))
    max_age = min(seconds, settings.CSO_BROWSER_CACHE_SECONDS)
    parts = ["public", *control, f"max-age={max_age}", f"s-maxage={seconds}"]
    if not cut_short and settings.CSO_SHARED_CACHE_STALE_SECONDS > 0:
        parts.append(f"stale-while-revalidate={settings.CSO_SHARED_CACHE_STALE_SECONDS}")
    return ", ".join(parts)


class AnonymousPageCacheMiddleware:
    """Sits near the top of ``MIDDLEWARE``: a hit is answered before sessions, locale, CSRF and auth run.

    The stored response already carries the headers the middleware below it added on the miss (ETag, the
    content security policy, Permissions-Policy, X-Frame-Options), so a hit costs one cache round trip and one
    read of the entry's tag versions from the database; an entry whose tags moved on is ignored. Each answer
    says on the request what happened (``request.cso_page_cache``: "hit", "miss" or "bypass"), for metrics.

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
            request.cso_page_cache = "bypass"
            with one_version_per_request():
                return self.get_response(request)
        digest = hashlib.sha256(f"{request.get_host()}|{request.get_full_path()}".encode()).hexdigest()
        key = PAGE_KEY.format(digest=digest)
        entry = cache.get(key)
        now = time.time()
        try:
            if entry is not None and entry["valid_until"] > now and tag_versions(entry["tags"]) == entry["tags"]:
                request.cso_page_cache = "hit"
                return self._hit(request, entry, now)
            # The versions are read before the page is made: a change committed while it is made gives its
            # tags new versions, so the entry filed under these is never served.
            tags = tag_versions(page_tags(request.path_info))
            version = str(_stored_version())
        except Error as exc:
            request.cso_page_cache = "bypass"
            response = database_outage_response(request, exc)
            if response is None:
                raise
            return response
        request.cso_page_cache = "miss"
        with one_version_per_request(version, tags):
            response = self.get_response(request)
        if response_is_cacheable(response):
            try:
                until, cut_short = self._valid_until(version, now)
                # A change committed while the page was made: it may show the state before it. Not kept here, and
                # not offered to the caches in front, whose purge for that change may already have gone by (a
                # copy stored after its purge would stay until its s-maxage).
                changed = tag_versions(tags) != tags
            except DatabaseError:
                return response
            lifetime = until - now
            if changed:
                response["Cache-Control"] = "no-cache"
            elif lifetime >= 1:
                control = [
                    part.strip()
                    for part in response.get("Cache-Control", "").split(",")
                    if part.strip() and not part.strip().lower().startswith(("max-age", "public"))
                ]
                self._add_headers(response, control, lifetime, cut_short, tags)
                entry = {
                    "tags": tags,
                    "valid_until": until,
                    "cut_short": cut_short,
                    "control": control,
                    "response": response,
                }
                cache.set(key, entry, timeout=int(lifetime) + 1)
            response["X-Page-Cache"] = "miss"
        return response

    def _hit(self, request, entry: dict, now: float):
        response = entry["response"]
        response["X-Page-Cache"] = "hit"
        self._add_headers(response, entry["control"], entry["valid_until"] - now, entry["cut_short"], entry["tags"])
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )

    @staticmethod
    def _valid_until(version: str, now: float) -> tuple[float, bool]:
        """Until when the page made now stays true, and whether a publication or midnight ends it, or comes
        within the time a shared cache may serve it stale after that (``stale-while-revalidate``)."""
        until = valid_until(version, now)
        reach = settings.CSO_PAGE_CACHE_SECONDS + max(0, settings.CSO_SHARED_CACHE_STALE_SECONDS)
        return until, valid_until(version, now, limit=reach) < now + reach

    @staticmethod
    def _add_headers(response, control: list[str], seconds: float, cut_short: bool, tags) -> None:
        response["Cache-Control"] = shared_cache_control(control, seconds, cut_short)
        # Fastly and Varnish read space-separated keys, Cloudflare comma-separated tags.
        response["Surrogate-Key"] = " ".join(tags)
        response["Cache-Tag"] = ",".join(tags)
