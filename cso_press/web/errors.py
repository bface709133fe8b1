"""Error pages that must work when nothing else does: no database, no request context, no traceback."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from events.selectors.identity import Identity, default_identity, site_identity

from .context_processors import language_links

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)

# Seconds a client or proxy should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def database_unavailable(request=None) -> HttpResponse:
    """The plain 503 page. Rendered without a request, so no context processor can touch the database."""
    try:
        body = loader.get_template("503.html").render()
    except Exception:  # noqa: BLE001 - the page of last resort must never fail itself.
        body = "<!DOCTYPE html><title>503</title><h1>Service temporarily unavailable</h1>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_outage_response(request, exception: BaseException) -> HttpResponse | None:
    """The answer to ``exception`` if it means the database is unreachable (the 503 page), else None.

    The broken connection is closed straight away so that the next request opens a fresh one: the site
    recovers by itself as soon as the database is back, without a restart. The anonymous page cache
    (``events.page_cache``) reaches this through ``CSO_DATABASE_OUTAGE_RESPONSE``, as ``events`` never
    imports the project; ``DatabaseUnavailableMiddleware`` calls it directly.
    """
    if not isinstance(exception, DATABASE_ERRORS):
        return None
    logger.error("Database unavailable while serving %s: %s", request.path, exception)
    close_broken_connections()
    return database_unavailable(request)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """``handler500``: a database outage that escaped the middleware still answers 503, anything else 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        close_broken_connections()
        return database_unavailable(request)
    try:
        body = loader.get_template(template_name).render(error_page_context(request))
    except Exception:  # noqa: BLE001
        logger.exception("The 500 page could not be rendered")
        body = "<!DOCTYPE html><title>500</title><h1>Server error</h1>"
    return HttpResponseServerError(body)


def error_page_context(request) -> dict:
    """What the 500 page's header and footer need, without the request's context processors (which may read the
    database that just failed): the identity if it can be read, else the defaults from settings."""
    links = _language_links_or_none(request)
    return {"site": _identity_or_default(), "language_links": links, "default_language_links": links}


def _identity_or_default() -> Identity:
    try:
        return site_identity()
    except Exception:  # noqa: BLE001 - the database or the cache is down: the page still needs a header.
        logger.warning("The site identity could not be read for an error page; using the defaults", exc_info=True)
        return default_identity()


def _language_links_or_none(request) -> list[dict]:
    if request is None:
        return []
    try:
        return language_links(request)
    except Exception:  # noqa: BLE001 - a page of last resort goes without its language switch rather than fail.
        logger.warning("No language links for an error page", exc_info=True)
        return []


def close_broken_connections() -> None:
    """Close every open database connection so that the next request opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            # Closing inside a transaction would only make its owner fail later; leave it to them.
            continue
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - the connection is already broken; closing is best effort.
            logger.debug("Closing the broken connection %s failed", connection.alias, exc_info=True)
