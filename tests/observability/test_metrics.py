"""``/metrics``: a bearer token or nothing, and counts that follow what the site did (requests per URL name,
status classes, the page cache's hits and misses, tasks, mail) and the task queues read from a real broker."""

import ast
import socket
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from cso_press import metrics
from cso_press.web.middleware import RequestObservabilityMiddleware
from events.tasks import purge_trash

from .worker_tasks import always_fails

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-tests-0123456789"


@pytest.fixture
def metrics_on(settings):
    settings.CSO_METRICS_TOKEN = TOKEN


def scrape(client) -> dict:
    """Every sample of a scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.CSO_METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN, "Bearer "])
def test_metrics_need_the_right_bearer_token(client, metrics_on, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}

    response = client.get("/metrics", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"cso_" not in response.content


def test_a_scrape_is_plain_prometheus_text_and_never_cached(client, metrics_on):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    assert reverse("metrics") == "/metrics"


def test_requests_are_counted_per_url_name_and_status_class(client, metrics_on):
    before = scrape(client)

    client.get(reverse("events:list"))
    client.get(reverse("events:list"))
    client.get("/en/events/no-such-release/")

    after = scrape(client)
    latency = "cso_http_request_duration_seconds_count"
    assert value(after, latency, view="events:list") - value(before, latency, view="events:list") == 2
    assert value(after, latency, view="events:detail") - value(before, latency, view="events:detail") == 1
    # The first scrape itself is a 2xx as well.
    assert (
        value(after, "cso_http_responses_total", status="2xx") - value(before, "cso_http_responses_total", status="2xx")
        == 3
    )
    assert (
        value(after, "cso_http_responses_total", status="4xx") - value(before, "cso_http_responses_total", status="4xx")
        == 1
    )
    # Per URL name, never per path: no label holds an address.
    assert not [key for key in after if any("/" in str(label_value) for _, label_value in key[1])]


def test_the_page_caches_hits_and_misses_are_counted_from_the_request_marker(client, metrics_on):
    before = scrape(client)

    def answer_as(result):
        def get_response(request):
            request.cso_page_cache = result
            return HttpResponse("any response will do")

        return RequestObservabilityMiddleware(get_response)

    for result in ("hit", "hit", "hit", "miss", "bypass", "something else"):
        answer_as(result)(RequestFactory().get("/en/"))

    after = scrape(client)
    counted = "cso_page_cache_requests_total"
    assert value(after, counted, result="hit") - value(before, counted, result="hit") == 3
    assert value(after, counted, result="miss") - value(before, counted, result="miss") == 1
    # The one told, and the first scrape's own request: the page cache marks every request it does not serve
    # (/metrics too) as a bypass.
    assert value(after, counted, result="bypass") - value(before, counted, result="bypass") == 2


def test_the_mail_counter_is_defined_before_any_mail_and_counts_what_it_is_told(client, metrics_on):
    before = scrape(client)
    assert ("cso_mail_messages_total", (("status", "sent"),)) in before

    metrics.count_mail("sent")
    metrics.count_mail("failed")

    after = scrape(client)
    counted = "cso_mail_messages_total"
    assert value(after, counted, status="sent") - value(before, counted, status="sent") == 1
    assert value(after, counted, status="failed") - value(before, counted, status="failed") == 1
    with pytest.raises(ValueError, match="Unknown mail status"):
        metrics.count_mail("maybe")


def test_task_successes_and_failures_are_counted_per_task(client, metrics_on):
    before = scrape(client)

    purge_trash.delay()
    # As a worker runs it: the error is recorded, not raised here (the test settings propagate eager errors).
    assert always_fails.apply(throw=False).failed()

    after = scrape(client)
    counted = "cso_tasks_total"
    ok = {"task": "maintenance.purge_trash", "state": "success"}
    failed = {"task": "tests.observability.always_fails", "state": "failure"}
    assert value(after, counted, **ok) - value(before, counted, **ok) == 1
    assert value(after, counted, **failed) - value(before, counted, **failed) == 1


def test_the_metrics_module_is_a_leaf_any_app_may_import():
    source = Path(metrics.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported == {"__future__", "prometheus_client"}


@pytest.fixture
def site_broker(broker, settings):
    """The site's settings pointed at the test's own space on a real broker, as a web server in production."""
    settings.CELERY_BROKER_URL = broker.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = broker.transport_options
    return broker


def test_queue_lengths_are_read_from_the_broker_at_scrape_time(client, metrics_on, site_broker):
    sender = site_broker.sender()
    try:
        for _ in range(3):
            sender.send_task("media.render_photo", args=[0])
        sender.send_task("mail.tests_not_a_real_task")
        sender.send_task("maintenance.purge_trash")
        sender.send_task("maintenance.purge_trash")
    finally:
        sender.close()

    samples = scrape(client)

    assert value(samples, "cso_task_broker_up") == 1
    assert value(samples, "cso_task_queue_length", queue="media") == 3
    assert value(samples, "cso_task_queue_length", queue="mail") == 1
    assert value(samples, "cso_task_queue_length", queue="default") == 2


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("scheme", ["redis://127.0.0.1:{port}/0", "amqp://guest:guest@127.0.0.1:{port}//"])
def test_a_broker_that_does_not_answer_is_reported_down_and_the_scrape_still_answers(
    client, metrics_on, settings, scheme
):
    settings.CELERY_BROKER_URL = scheme.format(port=closed_port())
    settings.CELERY_TASK_ALWAYS_EAGER = False

    samples = scrape(client)

    assert value(samples, "cso_task_broker_up") == 0
    assert not [key for key in samples if key[0] == "cso_task_queue_length"]


def test_without_a_broker_no_queue_is_reported(client, metrics_on, settings):
    settings.CELERY_BROKER_URL = ""

    samples = scrape(client)

    assert not [key for key in samples if key[0] in ("cso_task_broker_up", "cso_task_queue_length")]
