"""``/metrics``: the Prometheus scrape, behind a bearer token.

The counters and histograms are defined in ``cso_press.metrics``. With ``PROMETHEUS_MULTIPROC_DIR`` set, a
scrape adds up the files every process of the host wrote there (all gunicorn workers, and Celery workers on
the same host); without it, it reads this process's values. The task queue lengths are read from the broker
at scrape time (a second at most), not stored. Without ``DJANGO_METRICS_TOKEN`` the address does not exist.
"""

from __future__ import annotations

import hmac
import logging
import os

import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# A scrape must answer even when the broker does not: each broker read gives up after this long.
BROKER_TIMEOUT_SECONDS = 1.0
# kombu's Redis transport keeps a queue's prioritised messages in lists named "<queue>\x06\x16<step>".
REDIS_PRIORITY_SEPARATOR = "\x06\x16"
REDIS_PRIORITY_STEPS = (3, 6, 9)


def task_queue_names() -> list[str]:
    """The queues the site's tasks are routed to (CELERY_TASK_DEFAULT_QUEUE and CELERY_TASK_ROUTES)."""
    names = [settings.CELERY_TASK_DEFAULT_QUEUE]
    for route in settings.CELERY_TASK_ROUTES.values():
        if route.get("queue"):
            names.append(route["queue"])
    return list(dict.fromkeys(names))


def redis_queue_lengths(url: str, names: list[str]) -> dict[str, int]:
    prefix = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("global_keyprefix", "")
    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
    )
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(prefix + name)
            for step in REDIS_PRIORITY_STEPS:
                pipe.llen(f"{prefix}{name}{REDIS_PRIORITY_SEPARATOR}{step}")
        sizes = pipe.execute()
    finally:
        client.close()
    per_queue = 1 + len(REDIS_PRIORITY_STEPS)
    return {name: sum(sizes[i * per_queue : (i + 1) * per_queue]) for i, name in enumerate(names)}


def amqp_queue_lengths(url: str, names: list[str]) -> dict[str, int]:
    """A passive declare per queue: it reports the ready messages without creating anything."""
    lengths = {}
    options = {"read_timeout": BROKER_TIMEOUT_SECONDS, "write_timeout": BROKER_TIMEOUT_SECONDS}
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=options) as connection:
        # One attempt: a scrape is asked again in a few seconds anyway.
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0)
        channel = connection.channel()
        for name in names:
            try:
                lengths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except connection.channel_errors:
                # No such queue yet (no worker declared it): nothing waits in it. The error closed the channel.
                lengths[name] = 0
                channel = connection.channel()
        channel.close()
    return lengths


def task_queue_lengths() -> dict[str, int] | None:
    """Messages waiting per queue; None without a broker (tasks run in-process); raises if the broker fails."""
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    names = task_queue_names()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return redis_queue_lengths(url, names)
    return amqp_queue_lengths(url, names)


class TaskQueueCollector:
    """``cso_task_queue_length{queue}`` and ``cso_task_broker_up``, read when Prometheus scrapes."""

    def collect(self):
        try:
            lengths = task_queue_lengths()
        except Exception as exc:  # noqa: BLE001 - a broker that fails is reported as down, never as a 500.
            logger.warning("Metrics: could not read the task queues: %s", exc)
            lengths, up = {}, 0
        else:
            if lengths is None:
                return
            up = 1
        broker = GaugeMetricFamily("cso_task_broker_up", "1 when the task broker answered this scrape, else 0.")
        broker.add_metric([], up)
        yield broker
        queues = GaugeMetricFamily("cso_task_queue_length", "Tasks waiting in the broker, per queue.", labels=["queue"])
        for name, length in lengths.items():
            queues.add_metric([name], length)
        yield queues


class Scrape:
    """The collectors one scrape reads (``generate_latest`` needs only ``collect``)."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def stored_metrics():
    """Every process's files in multiprocess mode; this process's own values otherwise."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    return REGISTRY


def bearer_token_matches(request, expected: str) -> bool:
    scheme, _, offered = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request):
    expected = settings.CSO_METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are switched off.")
    if not bearer_token_matches(request, expected):
        response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(Scrape(stored_metrics(), TaskQueueCollector()))
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
