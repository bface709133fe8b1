"""The page cache's validity lives in the database, so Redis coming back from an old snapshot, losing keys to
eviction, or being down can never bring a withdrawn release back."""

from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from django.core.cache import caches
from django.db import OperationalError, close_old_connections, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from django.utils import timezone

from events import cache as resilient_cache
from events.services import releases
from tests.factories import EventFactory, UserFactory
from tests.security.private_redis import PrivateRedis

pytestmark = pytest.mark.django_db(transaction=True)

WITHDRAWN_TITLE = "Release withdrawn during the outage"


@pytest.fixture
def private_redis(tmp_path, settings, page_cache):
    server = PrivateRedis(tmp_path)
    server.start()

    def point_cache_at_server() -> None:
        for cache in caches.all(initialized_only=True):
            cache.close()
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "events.cache.ResilientRedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "snapshot-test",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            },
        }
        resilient_cache._Outage.reset()

    server.repoint = point_cache_at_server
    point_cache_at_server()
    try:
        yield server
    finally:
        server.stop(save=False)
        resilient_cache._Outage.reset()


def test_a_release_withdrawn_while_redis_was_down_stays_withdrawn_when_redis_returns_from_its_snapshot(
    client, private_redis
):
    event = EventFactory(title=WITHDRAWN_TITLE, slug="resurrection", first_published_at=timezone.now())
    editor = UserFactory(is_superuser=True)
    page, listing = event.get_absolute_url(), reverse("events:list")
    for url in (page, listing):
        assert client.get(url)["X-Page-Cache"] == "miss"
        cached = client.get(url)
        assert cached["X-Page-Cache"] == "hit"
        assert WITHDRAWN_TITLE in cached.content.decode()
    assert private_redis.client().save() is True  # the snapshot Redis will come back from

    private_redis.stop(save=False)
    releases.event_withdraw(event=event, user=editor, reason="Withdrawn at the request of the ministry.")
    private_redis.restart()
    private_redis.repoint()

    assert private_redis.client().dbsize() > 0, "the snapshot should have brought the old pages back"
    withdrawn_page = client.get(page).content.decode()
    assert "This release was withdrawn" in withdrawn_page
    assert "Withdrawn at the request of the ministry." in withdrawn_page
    assert WITHDRAWN_TITLE not in client.get(listing).content.decode()


def test_pages_cached_before_a_change_are_not_served_after_redis_lost_every_key(client, private_redis):
    """Eviction (maxmemory with allkeys-lru) may drop any key: none of them decides what is still valid."""
    event = EventFactory(title="Original headline", slug="evicted")
    editor = UserFactory(is_superuser=True)
    url = event.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    stale_entries = {key: private_redis.client().dump(key) for key in private_redis.client().keys("*")}

    event.title = "Corrected headline"
    releases.event_save(event=event, user=editor, change_note="Headline corrected.")
    private_redis.client().flushall()
    for key, value in stale_entries.items():  # the old entries come back, nothing else does
        private_redis.client().restore(key, 0, value, replace=True)

    body = client.get(url).content.decode()
    assert "Corrected headline" in body
    assert "Original headline" not in body


def test_the_site_keeps_serving_pages_while_its_redis_is_down(client, private_redis):
    EventFactory(title="Release read during a Redis outage", slug="outage")
    private_redis.stop(save=False)

    for url in ("/en/events/outage/", reverse("events:list"), reverse("events:home")):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Release read during a Redis outage" in client.get(reverse("events:list")).content.decode()


def test_a_cached_page_is_not_served_while_the_database_cannot_say_it_is_still_current(client, page_cache):
    """Decided: without the database nothing vouches for a cached page (it may have been withdrawn a second
    before), so readers get the plain 503 page, as on every other page, until the database is back."""
    event = EventFactory(title="Release cached before the outage", slug="outage-cached")
    url = event.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    refused = OperationalError("connection to server at 127.0.0.1 port 5432 failed: Connection refused")
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=refused):
        response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service temporarily unavailable" in response.content.decode()
    assert "Release cached before the outage" not in response.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_cached_page_is_served_after_a_database_restart_killed_the_kept_connection(client, page_cache):
    """The version read stands in for Django's connection health check, so it must replace a dead connection."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server whose backends can be terminated")
    event = EventFactory(title="Release read across a database restart", slug="restart")
    connection.close()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    try:
        client.get(event.get_absolute_url())
        assert connection.connection is not None, "the connection should have been kept after the request"
        backend_pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0] is True

        close_old_connections()  # what a real server runs at the start of every request
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
        assert connection.connection.info.backend_pid != backend_pid
    finally:
        connection.close()
        monkeypatch.undo()
