"""A real Celery worker: its log lines are JSON with the task's name and id, and what its tasks did (success,
failure) reaches the web's /metrics through the multiprocess folder they share on one host."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.tasks.conftest import wait_until

TOKEN = "worker-scrape-token-0123456789"


def scraped(client) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def task_count(samples: dict, task: str, state: str) -> float:
    return samples.get(("cso_tasks_total", (("state", state), ("task", task))), 0)


def json_lines(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text(errors="replace").splitlines() if line.startswith("{")]


@pytest.fixture
def shared_metrics_dir(tmp_path, monkeypatch, settings):
    """The folder the web (this process's /metrics) and the worker share, as on one host."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    settings.CSO_METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = ""  # the queue lengths are another test's business
    return folder


@pytest.mark.parametrize("broker", ["redis"], indirect=True)
def test_a_workers_task_lines_are_json_and_its_outcomes_reach_the_metrics(
    broker, workers, sender, client, shared_metrics_dir
):
    worker = workers.start(
        "observed",
        queues="default",
        env={
            "DJANGO_SETTINGS_MODULE": "tests.observability.worker_settings",
            "PROMETHEUS_MULTIPROC_DIR": str(shared_metrics_dir),
        },
    )
    purged = sender.send_task("maintenance.purge_trash")
    failed = sender.send_task("tests.observability.always_fails")

    def both_counted():
        samples = scraped(client)
        return (
            task_count(samples, "maintenance.purge_trash", "success") == 1
            and task_count(samples, "tests.observability.always_fails", "failure") == 1
        )

    wait_until(both_counted, what="the worker's task counts in /metrics", logs=[worker.log])

    lines = json_lines(worker.log)
    [purge_line] = [line for line in lines if line["message"].startswith("Purged")]
    assert (purge_line["task_name"], purge_line["task_id"]) == ("maintenance.purge_trash", purged.id)
    assert purge_line["logger"] == "events.tasks"
    [failure] = [line for line in lines if line.get("task_id") == failed.id and line["level"] == "ERROR"]
    assert failure["task_name"] == "tests.observability.always_fails"
    assert failure["exception_type"] == "RuntimeError"
    assert "this task always fails" in failure["exception"]
