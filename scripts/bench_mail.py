"""`make bench-mail`: one release to N confirmed subscribers (100,000 by default), through 2 Celery workers, into a
local SMTP sink; messages per second and the workers' memory as the count grows. Writes docs/bench-mail.md.

What runs, all on this machine (loopback only):

- PostgreSQL database ``cso_bench_mail`` (``--database``), dropped and made again, migrated; N subscribers
  following "everything", bulk-created;
- an SMTP sink: aiosmtpd in a subprocess on a free port, that accepts every message and only counts them
  (the count written to a file twice a second);
- 2 Celery workers (``--workers``), one process each, on queue ``mail``, Redis as broker (own key prefix);
  no rate cap (``--rate``) so the figure is what the engine can do, and no child recycling
  (CELERY_WORKER_MAX_TASKS_PER_CHILD very high) so a leak would show as growth.

The release is published through the editorial service (``event_publish``): its commit sends the signal, the
fan-out runs on a worker, then the batches. The script polls the database for the number of messages marked
sent and reads each worker's resident memory (VmRSS, and the peak VmHWM, of every process in the worker's
tree) when 10%, 50% and 100% are sent. At the end the sink's count must equal the rows marked sent.

Each wait has a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
DOCS_MD = ROOT / "docs" / "bench-mail.md"

SINK = """
import asyncio, sys, threading, time
from aiosmtpd.controller import Controller

count_file = sys.argv[2]
count = 0

class Sink:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while True:
    with open(count_file + ".tmp", "w") as out:
        out.write(str(count))
    import os; os.replace(count_file + ".tmp", count_file)
    time.sleep(0.5)
"""

SETTINGS = """
from cso_press.settings.bench import *  # noqa: F403
"""

SETUP = """
import json, time
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from events.models import Event, Section
from subscriptions.models import Subscriber, Topic

started = time.monotonic()
now = timezone.now()
User = get_user_model()
editor = User.objects.create_superuser("bench-editor", "editor@example.org", "x" * 20)
author = User.objects.create_user("bench-author", "author@example.org", "x" * 20, is_staff=True)
section = Section.objects.create(name="Foreign policy", slug="foreign-policy")
event = Event.objects.create(
    title="Ministers meet in Vienna", slug="ministers-meet-in-vienna", section=section, language="en",
    starts_at=now + timedelta(days=1), location="Vienna", time_zone="Europe/Vienna",
    lead="The foreign ministers meet to discuss regional security.", status="in_review", submitted_by=author,
)
CHUNK = 5000
for first in range(0, COUNT, CHUNK):
    rows = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.net", language="en", confirmed_at=now)
        for n in range(first, min(COUNT, first + CHUNK))
    )
    Topic.objects.bulk_create(Topic(subscriber=row, kind="everything", target="everything") for row in rows)
print(json.dumps({"event": event.pk, "editor": editor.pk, "seconds": round(time.monotonic() - started, 1)}))
"""

PUBLISH = """
import json
from django.contrib.auth import get_user_model
from events.models import Event
from events.services import releases

releases.event_publish(event=Event.objects.get(pk=EVENT), user=get_user_model().objects.get(pk=EDITOR))
print(json.dumps({"published": True}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float, what: str, *, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Timed out after {seconds} s waiting for {what}.")
        time.sleep(every)


def django_run(env: dict, code: str, **names) -> dict:
    prelude = "import django\ndjango.setup()\n" + "".join(f"{key} = {value!r}\n" for key, value in names.items())
    done = subprocess.run([PY, "-c", prelude + code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"Django code failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def process_tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += process_tree(int(child))
    except OSError:
        pass
    return found


def memory(workers: list[subprocess.Popen]) -> list[dict]:
    """Per worker: the resident size now and the peak, of its largest process (the pool child doing the work)."""
    readings = []
    for worker in workers:
        pids = process_tree(worker.pid)
        readings.append(
            {
                "rss_mb": max(status_mb(pid, "VmRSS") for pid in pids),
                "peak_mb": max(status_mb(pid, "VmHWM") for pid in pids),
            }
        )
    return readings


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def sent_count(database: str) -> int:

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/{database}", autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM subscriptions_delivery WHERE status = 'sent'").fetchone()[0]


def prepare_database(name: str, env: dict) -> None:

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    # The messages name the office with its logo's static address (manifest storage, as in production).
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="cso-bench-mail-"))
    (workdir / "bench_mail_settings.py").write_text(SETTINGS)
    smtp_port = free_port()
    env = {
        key: value for key, value in os.environ.items() if key not in ("CACHE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env.update(
        PYTHONPATH=f"{workdir}:{ROOT}",
        DJANGO_SETTINGS_MODULE="bench_mail_settings",
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{args.database}",
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_DB_CONN_MAX_AGE="600",
        CELERY_BROKER_URL=f"redis://{HOST}:6379/{args.redis_db}",
        CELERY_BROKER_KEY_PREFIX=f"cso-bench-mail-{os.getpid()}:",
        CELERY_WORKER_MAX_TASKS_PER_CHILD="1000000",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=HOST,
        EMAIL_PORT=str(smtp_port),
        DJANGO_ALERTS_BATCH_SIZE=str(args.batch),
        DJANGO_ALERTS_PARALLEL_BATCHES=str(args.workers * 2),
        DJANGO_ALERTS_RATE_PER_SECOND=str(args.rate),
        DJANGO_ALERTS_LEASE_SECONDS="600",
    )
    print(f"Database {args.database}: migrating…", flush=True)
    prepare_database(args.database, env)
    setup = django_run(env, SETUP, COUNT=args.count)
    print(f"{args.count} subscribers made in {setup['seconds']} s", flush=True)

    processes: list[subprocess.Popen] = []
    count_file = workdir / "sink-count"
    try:
        sink_log = open(workdir / "sink.log", "wb")  # noqa: SIM115 - closed with the process
        sink = subprocess.Popen(
            [PY, "-c", SINK, str(smtp_port), str(count_file)], cwd=ROOT, stdout=sink_log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        processes.append(sink)
        wait_until(lambda: count_file.exists(), 30, "the SMTP sink")
        workers = []
        for number in range(args.workers):
            log = open(workdir / f"worker-{number}.log", "wb")  # noqa: SIM115 - closed with the process
            workers.append(
                subprocess.Popen(
                    [
                        PY,
                        "-m",
                        "celery",
                        "-A",
                        "cso_press",
                        "worker",
                        "-Q",
                        "mail",
                        "-c",
                        "1",
                        "--loglevel",
                        "INFO",
                        "--hostname",
                        f"bench-mail-{number}-{os.getpid()}@%h",
                        "--without-mingle",
                        "--without-gossip",
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            )
        processes += workers
        for number in range(args.workers):
            path = workdir / f"worker-{number}.log"
            wait_until(lambda path=path: b"ready." in path.read_bytes() or b"Connected" in path.read_bytes(), 90,
                       f"worker {number}")  # fmt: skip
        for worker in workers:
            wait_until(lambda worker=worker: len(process_tree(worker.pid)) > 1, 30, "the workers' pool processes")
        idle = memory(workers)
        marks = sorted({max(1, args.count // 10), max(1, args.count // 2), args.count})
        readings = []
        started = time.monotonic()
        django_run(env, PUBLISH, EVENT=setup["event"], EDITOR=setup["editor"])
        for mark in marks:
            wait_until(
                lambda mark=mark: sent_count(args.database) >= mark, args.timeout, f"{mark} messages sent", every=0.5
            )
            elapsed = time.monotonic() - started
            readings.append(
                {"sent": mark, "seconds": round(elapsed, 1), "workers": memory(workers), "load": os.getloadavg()[0]}
            )
            print(f"{mark} sent after {elapsed:.1f} s; workers {readings[-1]['workers']}", flush=True)
        total = time.monotonic() - started
        wait_until(lambda: int(count_file.read_text() or 0) >= args.count, 30, "the sink to count every message")
        sink_count = int(count_file.read_text())
        final_sent = sent_count(args.database)
    finally:
        for process in processes:
            stop(process)
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "count": args.count,
        "workers": args.workers,
        "batch": args.batch,
        "rate_cap": args.rate,
        "setup_seconds": setup["seconds"],
        "idle": idle,
        "readings": readings,
        "total_seconds": round(total, 1),
        "messages_per_second": round(args.count / total, 1),
        "sink_count": sink_count,
        "rows_sent": final_sent,
    }


def render(result: dict) -> str:
    lines = [
        "# E-mail alerts benchmark (`make bench-mail`)",
        "",
        f"Measured {result['when']} on {result['machine']} by scripts/bench_mail.py: one release published to "
        f"{result['count']:,} confirmed subscribers (each following everything), {result['workers']} Celery workers "
        f"(one process each, queue `mail`), batches of {result['batch']}, "
        + ("no rate cap" if not result["rate_cap"] else f"a cap of {result['rate_cap']}/s per process")
        + ", PostgreSQL, Redis as broker, an aiosmtpd sink that only counts. The time runs from the publication "
        "(its commit sends the signal; the fan-out and then the batches run on the workers) to the row marked sent.",
        "",
        "| Sent | Time from publication | Messages/s so far | Worker memory now (RSS, MB) | Worker peak (MB) | Load |",
        "|---:|---:|---:|---|---|---:|",
    ]
    for reading in result["readings"]:
        rss = " / ".join(f"{w['rss_mb']:.0f}" for w in reading["workers"])
        peak = " / ".join(f"{w['peak_mb']:.0f}" for w in reading["workers"])
        rate = reading["sent"] / reading["seconds"] if reading["seconds"] else 0
        load = f"{reading['load']:.1f}" if "load" in reading else "—"
        lines.append(f"| {reading['sent']:,} | {reading['seconds']:.1f} s | {rate:.0f} | {rss} | {peak} | {load} |")
    idle = " / ".join(f"{w['rss_mb']:.0f}" for w in result["idle"])
    lines += [
        "",
        f"- **{result['messages_per_second']} messages/s** over the whole run ({result['total_seconds']} s).",
        f"- Workers idle before the publication: {idle} MB resident.",
        f"- The sink counted {result['sink_count']:,} messages; {result['rows_sent']:,} rows are marked sent "
        "(exactly one message per subscriber when the two agree).",
        f"- Making the subscribers (bulk insert, not timed above): {result['setup_seconds']} s.",
        "- The last column is the machine's 1-minute load average when each mark was read; "
        f"on {os.cpu_count()} CPUs the workers, "
        "PostgreSQL, Redis and the sink (itself Python) share them, so a load well above that number means "
        "something else was running and the rate is a lower bound.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--rate", type=int, default=0, help="messages/s per process (0: no cap)")
    parser.add_argument("--database", default="cso_bench_mail")
    parser.add_argument("--redis-db", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args(argv)
    result = run(args)
    DOCS_MD.write_text(render(result))
    print(render(result))
    return 0 if result["sink_count"] == result["rows_sent"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
