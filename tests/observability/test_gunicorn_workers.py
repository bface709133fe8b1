"""Real gunicorn with several workers and a shared PROMETHEUS_MULTIPROC_DIR: requests served by different
workers add up in one scrape, whichever worker answers it; the workers' log lines are JSON."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.tasks.conftest import database_url, wait_until

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-scrape-token-0123456789"
WORKERS = 3


class Server:
    def __init__(self, folder: Path):
        self.folder = folder
        self.metrics_dir = folder / "metrics"
        self.metrics_dir.mkdir()
        self.log = folder / "gunicorn.log"
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.process = None

    def start(self):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.observability.server_settings",
            "DATABASE_URL": database_url(),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "DJANGO_METRICS_TOKEN": TOKEN,
        }
        command = [
            sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn/gunicorn.conf.py"),
            "--bind", f"fd://{self.sock.fileno()}", "--workers", str(WORKERS), "--access-logfile", "/dev/null",
        ]  # fmt: skip
        with self.log.open("wb") as output:
            # The socket is handed over, so no other process can take the port between choosing and binding it.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
                pass_fds=[self.sock.fileno()], start_new_session=True,
            )  # fmt: skip
        wait_until(self.answers, what="gunicorn to answer", logs=[self.log])

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{self.log.read_text(errors='replace')[-4000:]}")
        try:
            return self.get("/healthz")[0] == 200
        except OSError:
            return False

    def get(self, path: str, headers=None) -> tuple[int, bytes]:
        request = Request(self.base + path, headers={"Connection": "close", **(headers or {})})
        try:
            with urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except OSError as exc:
            if hasattr(exc, "code"):
                return exc.code, exc.read()
            raise

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.sock.close()

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text(errors="replace").splitlines() if line.startswith("{")]

    def scrape(self) -> dict:
        status, body = self.get("/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        }


@pytest.fixture
def server(transactional_db, tmp_path):
    running = Server(tmp_path)
    running.start()
    yield running
    running.stop()


def served_by(server: Server, view: str) -> dict[int, int]:
    """How many ``view`` requests each worker process answered, from the workers' access lines."""
    counts = {}
    for line in server.json_lines():
        if line.get("logger") == "cso_press.request" and line.get("view") == view:
            counts[line["pid"]] = counts.get(line["pid"], 0) + 1
    return counts


def test_counts_from_several_workers_add_up_in_one_scrape(server):
    sent = 0
    deadline = time.monotonic() + 120
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        # Until at least two workers have answered (the kernel hands each connection to one waiting worker).
        while len(served_by(server, "events:list")) < 2:
            assert time.monotonic() < deadline, "one worker answered everything"
            statuses = list(pool.map(lambda _: server.get("/en/events/")[0], range(WORKERS * 4)))
            assert statuses == [200] * len(statuses)
            sent += len(statuses)

    counts = served_by(server, "events:list")
    assert sum(counts.values()) == sent
    samples = server.scrape()
    assert samples[("cso_http_request_duration_seconds_count", (("view", "events:list"),))] == sent
    # A worker that dies keeps what it counted: the files stay, a new worker takes over.
    victim = max(counts, key=counts.get)
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: server.get("/healthz")[0] == 200 and victim not in alive_workers(server), what="a new worker")
    assert server.scrape()[("cso_http_request_duration_seconds_count", (("view", "events:list"),))] == sent


def alive_workers(server: Server) -> set[int]:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    return {int(pid) for pid in children}


def test_the_workers_log_lines_are_json_with_the_request_fields(server):
    status, _ = server.get("/en/events/?q=secret-query", {"X-Request-ID": "from-the-client"})
    assert status == 200
    wait_until(lambda: served_by(server, "events:list"), what="the access line")

    [line] = [line for line in server.json_lines() if line.get("view") == "events:list"]
    assert line["path"] == "/en/events/"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["request_id"] != "from-the-client"  # no trusted proxy is declared
    assert "secret-query" not in server.log.read_text()
