"""Faults: the database or Redis going away, and the error pages readers see."""

import json
import socket
import sys
from unittest import mock

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.db import OperationalError, close_old_connections, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory
from django.urls import reverse

from cso_press.settings.env import database_from_env
from cso_press.web.errors import server_error
from events import cache as resilient_cache
from tests.security.private_redis import PrivateRedis

pytestmark = pytest.mark.django_db


def closed_redis_url() -> str:
    """A Redis address on which nothing listens: a port the system just gave us free, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def database_down():
    return mock.patch.object(
        BaseDatabaseWrapper,
        "cursor",
        side_effect=OperationalError("connection to server at 127.0.0.1 port 5432 failed: Connection refused"),
    )


def test_public_page_answers_a_plain_503_page_while_the_database_is_down_and_recovers_after(client):
    with database_down():
        response = client.get(reverse("events:list"))

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Service temporarily unavailable" in html
    assert "Traceback" not in html
    assert "Connection refused" not in html
    assert "5432" not in html

    assert client.get(reverse("events:list")).status_code == 200


def test_healthz_answers_while_the_process_runs_even_with_the_database_down(client):
    with database_down():
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    assert json.loads(response.content) == {"status": "ok"}


def test_readyz_reports_database_and_cache_separately_and_503_without_the_database(client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/json"
    assert ready["Cache-Control"].startswith("max-age=0")
    body = json.loads(ready.content)
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is True

    with database_down():
        down = client.get("/readyz")

    assert down.status_code == 503
    body = json.loads(down.content)
    assert body == {"status": "unavailable", "database": {"ok": False, "error": "OperationalError"}, "cache": mock.ANY}
    assert body["cache"]["ok"] is True

    assert client.get("/readyz").status_code == 200


def test_healthz_and_readyz_are_outside_the_language_prefix():
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"


@pytest.fixture
def redis_down(settings):
    resilient_cache._Outage.reset()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "events.cache.ResilientRedisCache",
            "LOCATION": closed_redis_url(),
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    yield
    resilient_cache._Outage.reset()


def test_site_keeps_serving_uncached_when_redis_is_down(client, redis_down):
    cache.set("answer", 42)
    assert cache.get("answer") is None
    assert cache.get("answer", "fallback") == "fallback"
    assert cache.add("answer", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError):
        cache.incr("answer")

    assert client.get(reverse("events:home")).status_code == 200
    assert client.get(reverse("events:list")).status_code == 200


def test_readyz_reports_degraded_not_down_when_redis_is_down_while_pages_still_serve(client, redis_down):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["cache"]["ok"] is False
    assert client.get(reverse("events:list")).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_redis_outage_is_not_retried_on_every_call(redis_down):
    cache.get("warm-up")
    with mock.patch("django.core.cache.backends.redis.RedisCacheClient.get") as real_get:
        cache.get("one")
        cache.get("two")

    real_get.assert_not_called()


def test_resilient_cache_works_normally_against_a_running_redis(settings, tmp_path):
    resilient_cache._Outage.reset()
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "events.cache.ResilientRedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "cso-press-security-tests",
            }
        }
        cache.set("answer", 42, timeout=5)
        assert cache.get("answer") == 42
        cache.delete("answer")
        assert cache.get("answer") is None
    finally:
        server.stop(save=False)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_not_found_page_is_the_sites_own_in_both_languages(client, language):
    response = client.get(f"/{language}/events/no-such-release/")

    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert f'href="/{language}/"' in html
    assert "/static/css/site.css" in html  # the site's own header and footer (tests/events/test_site_identity.py)
    assert 'class="error-code">404<' in html


def test_not_found_page_tells_the_reader_what_happened(client):
    html = client.get("/en/events/no-such-release/").content.decode()

    assert "<h1>Page not found</h1>" in html
    assert "the release may not be published yet" in html


def test_bad_request_page_is_the_sites_own(client):
    response = client.get("/en/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_forbidden_page_is_the_sites_own(client):
    clerk = get_user_model().objects.create_user("clerk", password="correct horse battery", is_staff=True)
    client.force_login(clerk)

    response = client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_server_error_page_is_plain_and_shows_no_details(client):
    client.raise_request_exception = False
    with mock.patch("cso_press.web.health.check_cache", side_effect=RuntimeError("secret detail")):
        response = client.get("/readyz")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret detail" not in html
    assert "Traceback" not in html


def test_a_database_error_escaping_the_middleware_still_answers_503():
    request = RequestFactory().get("/en/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        response = server_error(request)

    assert response.status_code == 503
    assert "Service temporarily unavailable" in response.content.decode()


def test_kept_database_connections_are_checked_before_reuse(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://press@db.example.org/press")
    monkeypatch.setenv("DJANGO_DB_CONN_MAX_AGE", "60")
    assert database_from_env("unused.sqlite3")["CONN_HEALTH_CHECKS"] is True

    monkeypatch.setenv("DJANGO_DB_CONN_MAX_AGE", "0")
    assert database_from_env("unused.sqlite3")["CONN_HEALTH_CHECKS"] is False


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_killed_by_a_database_restart_does_not_fail_the_next_request(client):
    """What a worker sees after PostgreSQL restarts: its kept connection is dead, the next reader gets the page."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a PostgreSQL server whose backends can be terminated")
    connection.close()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    try:
        assert client.get(reverse("events:list")).status_code == 200
        assert connection.connection is not None, "the connection should have been kept after the request"
        backend_pid = connection.connection.info.backend_pid

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0] is True

        for cache in caches.all(initialized_only=True):
            cache.clear()  # the page must be read from the database again
        # A real server runs this at the start of every request; Django's test client leaves it out.
        close_old_connections()
        response = client.get(reverse("events:list"))
        assert response.status_code == 200, response.content[:300]
        assert connection.connection.info.backend_pid != backend_pid
    finally:
        connection.close()
        monkeypatch.undo()
