"""Liveness and readiness against a real Redis of the test's own, stopped and started again, and a database
that stops answering (as tests/security/test_faults.py makes it): what a load balancer would see."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from events import cache as resilient_cache
from tests.security.private_redis import PrivateRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis(settings, tmp_path):
    """The site's cache on a redis-server of this test's own."""
    resilient_cache._Outage.reset()
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "events.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "h_obs-readyz",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    yield server
    server.stop(save=False)
    resilient_cache._Outage.reset()


def database_refuses():
    return mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection to server failed: Connection refused")
    )


def readiness(client):
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_readyz_follows_redis_going_down_and_coming_back(client, private_redis, settings):
    assert readiness(client)[0] == 200
    assert readiness(client)[1]["status"] == "ok"

    private_redis.stop(save=False)
    status, body = readiness(client)
    assert (status, body["status"], body["cache"]["ok"], body["database"]["ok"]) == (200, "degraded", False, True)
    # The site still serves its pages, from the database.
    assert client.get(reverse("events:list")).status_code == 200
    assert client.get("/healthz").status_code == 200

    private_redis.restart()
    # Redis may come back on another port (the old one can linger in TIME_WAIT): the site is pointed at it.
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    # The cache stays aside for a few seconds after a failure (events/cache.py); the next try finds Redis back.
    resilient_cache._Outage.reset()
    status, body = readiness(client)
    assert (status, body["status"], body["cache"]["ok"]) == (200, "ok", True)


def test_readyz_answers_503_without_the_database_even_with_the_cache_down(client, private_redis):
    private_redis.stop(save=False)
    with database_refuses():
        status, body = readiness(client)

    assert status == 503
    assert body["status"] == "unavailable"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert body["cache"]["ok"] is False


def test_healthz_needs_neither_the_database_nor_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0), mock.patch("cso_press.web.health.check_cache") as cache_check:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    cache_check.assert_not_called()


@pytest.mark.parametrize("address", ["/healthz", "/readyz"])
def test_probes_are_never_cached_and_refuse_other_methods(client, address):
    response = client.get(address)
    assert "no-store" in response["Cache-Control"]
    assert client.post(address).status_code == 405
