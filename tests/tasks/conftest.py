"""Real brokers and real Celery workers for the integration tests.

Redis (127.0.0.1:6379) and RabbitMQ (127.0.0.1:5672) are used as they run on the machine; each test gets a
space of its own on them (a key prefix on Redis, a virtual host on RabbitMQ), so parallel runs never see
each other's tasks. Without the service a test is skipped with the reason, unless CSO_REQUIRE_SERVICES=1
(set by .ci/run), where it fails. A worker is a `celery worker` subprocess on the test's own database (a
file for SQLite, see cso_press/settings/test.py) and media folder; it is stopped by its process group id.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CSO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_HOST, RABBITMQ_PORT = "127.0.0.1", 5672


def unavailable(message: str):
    if os.environ.get("CSO_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (CSO_REQUIRE_SERVICES=1: CI needs it)")
    pytest.skip(message)


def wait_until(condition, *, what: str, timeout: float = 60, logs=()) -> None:
    """Poll ``condition`` until it is true; fail with the workers' logs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            output = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}" for log in logs)
            pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{output}")
        time.sleep(0.05)


@dataclass
class Broker:
    name: str
    url: str
    transport_options: dict = field(default_factory=dict)
    worker_env: dict = field(default_factory=dict)

    def sender(self) -> Celery:
        """A Celery app with the project's settings (routes, serializer) that sends to this broker."""
        app = Celery("cso_press_test_sender", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.update(broker_url=self.url, broker_transport_options=self.transport_options, task_always_eager=False)
        return app


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    prefix = f"cso-test-{uuid.uuid4().hex[:12]}:"
    yield Broker(
        "redis",
        REDIS_URL,
        transport_options={"global_keyprefix": prefix},
        worker_env={"CELERY_BROKER_KEY_PREFIX": prefix},
    )
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def rabbitmq_broker():
    try:
        socket.create_connection((RABBITMQ_HOST, RABBITMQ_PORT), timeout=1).close()
    except OSError as exc:
        unavailable(f"RabbitMQ is not reachable at {RABBITMQ_HOST}:{RABBITMQ_PORT}: {exc}")
    if not shutil.which("rabbitmqctl"):
        unavailable("rabbitmqctl is not installed; it makes the test's own virtual host")
    vhost = f"cso-test-{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield Broker("rabbitmq", f"amqp://guest:guest@{RABBITMQ_HOST}:{RABBITMQ_PORT}/{vhost}")
    finally:
        rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request):
    return request.getfixturevalue(f"{request.param}_broker")


def database_url() -> str:
    """The test database, as DATABASE_URL for a worker process."""
    config = connection.settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = str(config["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.fail("The SQLite test database is in memory; a worker process cannot open it.")
        return f"sqlite:///{name}"
    if config["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(config["USER"] or "", safe="")
        if config["PASSWORD"]:
            credentials += ":" + quote(config["PASSWORD"], safe="")
        host = config["HOST"] or "127.0.0.1"
        port = config["PORT"] or "5432"
        return f"postgres://{credentials}@{host}:{port}/{config['NAME']}"
    pytest.fail(f"No worker set-up for the database engine {config['ENGINE']}.")


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes (its own process group): no clean-up of any kind."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """At the end of a test: its tasks are over (the test waited for them), so the process group is simply
        killed. A warm shutdown would wait for the worker's next poll of the broker, up to 10 s on AMQP."""
        if self.process.poll() is None:
            self.kill()


class Workers:
    def __init__(self, broker: Broker, folder: Path, media_root: Path):
        self.broker = broker
        self.folder = folder
        self.media_root = media_root
        self.started: list[Worker] = []

    def start(self, name: str, *, queues: str = "default,mail,media", pool: str = "prefork", env=None) -> Worker:
        log = self.folder / f"worker-{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.tasks.worker_settings",
            "DATABASE_URL": database_url(),
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            "CELERY_BROKER_URL": self.broker.url,
            **self.broker.worker_env,
            **(env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "cso_press", "worker", "--loglevel", "INFO",
            "--hostname", f"{name}-{uuid.uuid4().hex[:8]}@%h", "--queues", queues, "--pool", pool,
            "--concurrency", "1", "--without-mingle", "--without-gossip", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = Worker(name, process, log)
        self.started.append(worker)
        wait_until(
            lambda: "Connected to" in log.read_text(errors="replace") or process.poll() is not None,
            what=f"worker {name} to start",
            logs=[log],
        )
        if process.poll() is not None:
            pytest.fail(f"Worker {name} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        return worker

    @property
    def logs(self) -> list[Path]:
        return [worker.log for worker in self.started]

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture
def workers(broker, transactional_db, settings, tmp_path):
    """Starts workers on ``broker``, the test database and the test's media folder; stops them afterwards
    (before the database is emptied)."""
    folder = tmp_path / "workers"
    folder.mkdir()
    pool = Workers(broker, folder, Path(settings.MEDIA_ROOT))
    yield pool
    pool.stop_all()


@pytest.fixture
def sender(broker):
    app = broker.sender()
    yield app
    app.close()
