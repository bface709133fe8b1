"""The press-kit part of `make bench-media` (`make bench-kits` alone): a ~300 MB kit behind nginx, and what slow
kit downloaders do to the public pages.

Set-up, all on loopback: a PostgreSQL database of its own (``cso_bench_kits``, dropped and made again), a few
hundred generated releases for the pages, and one published release with 30 photos of 10 MB. The photos are
random bytes between a JPEG's start and end markers, recorded as clean, ready photos: a kit never decodes an
image, it copies the stored files, so their content does not change what is measured. The kit is built once
by the task's function (``events.media.kits.build_press_kit``), timed. Then gunicorn (the shipped
deploy/gunicorn/gunicorn.conf.py, 2 sync workers, the bench settings = production settings on loopback) runs
behind Debian's nginx with the shipped site (deploy/nginx/cso_press.conf) on free ports, files on local disk
sent by X-Accel-Redirect. No Celery worker runs: a build asked for by the streamed path waits in a Redis queue
of its own, as when the workers are behind.

Measured:
  (a) the kit downloads whole through nginx at full speed: size, ``zipfile.testzip()``, time;
  (b) public page throughput with wrk (round-robin over /en/, /en/events/ and a release page) for --duration
      seconds, no other clients;
  (c) the same while --slow-clients clients download the kit at --slow-rate each (a paced reader);
  (d) for comparison, (c) again with the kit removed from storage, so that the zip is streamed through the
      application as before issue 15 (nginx buffers it), and (e) the streamed zip with the slow clients
      talking to gunicorn directly (no nginx in front: the set-up the issue measured).
Results go to docs/bench-kits.md and docs/bench-kits.json. Every process started here is stopped by its pid.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import WRK_ERRORS, WRK_PCT, WRK_RATE, listening_socket, to_ms  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "cso_press.conf"
REDIS_URL = os.environ.get("CSO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

SETUP = r"""
import json, os, resource, sys, time
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from events.media import kits
from events.media.downloads import photos_of
from events.models import Attachment, Event, Section

count, size = int(sys.argv[1]), int(sys.argv[2])
kits.send_kit_build = lambda event_id: None  # the build is run below, timed, in this process
translation.activate("en")
now = timezone.now()
event = Event.objects.create(
    title="Press kit benchmark summit", slug="press-kit-benchmark", language="en", section=Section.objects.first(),
    starts_at=now - timezone.timedelta(days=1), location="Minsk", lead="Heads of state met.", body="<p>Talks.</p>",
    status=Event.Status.PUBLISHED, publish_at=now - timezone.timedelta(hours=1),
)
rows = []
for index in range(count):
    # A JPEG's start and end markers around random bytes: the kit copies files, it never decodes them.
    data = b"\xff\xd8\xff\xe0" + os.urandom(size - 6) + b"\xff\xd9"
    name = default_storage.save(f"private/attachments/bench/photo-{index:02d}.jpg", ContentFile(data))
    rows.append(Attachment(
        event=event, kind=Attachment.Kind.PHOTO, file=name, original_name=f"DSC_{index:04d}.JPG",
        caption=f"Photo {index + 1} of the summit.", credit="Press Office", alt_text="Delegations.",
        position=index, size=size, content_type="image/jpeg", sha256=f"{index:064x}",
        renditions={"file_is_clean": True},
    ))
with transaction.atomic():
    Attachment.objects.bulk_create(rows)  # recorded as they are: no decoding, no renditions
ready = len(photos_of(event))
if ready != count:
    raise SystemExit(f"{ready} of {count} photos count as ready for the kit; the benchmark needs them all")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
name = kits.build_press_kit(event.pk)
build = {"wall_s": round(time.perf_counter() - started, 2), "cpu_s": round(time.process_time() - cpu, 2)}
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
other = Event.objects.public().filter(language="en").exclude(pk=event.pk).order_by("-starts_at").first()
print(json.dumps({
    "kit": name, "kit_bytes": default_storage.size(name), "photos": count, "photo_bytes": size,
    "build": {**build, "peak_rss_mb_before": round(before / 1024), "peak_rss_mb_after": round(after / 1024)},
    "zip": reverse("events:photos-zip", kwargs={"slug": event.slug}),
    "pages": [reverse("events:home"), reverse("events:list"), other.get_absolute_url()],
}))
"""

# A deliberately slow downloader: reads at most RATE bytes a second through a small receive window, so the
# server side sees a client on a slow line. (curl --limit-rate was tried first: curl 7.88 here did not
# hold to it on loopback.)
SLOW_CLIENTS = r"""
import json, os, socket, sys, time
host, path, out = sys.argv[1], sys.argv[3], sys.argv[6]
port, rate, count = int(sys.argv[2]), int(sys.argv[4]), int(sys.argv[5])
clients = []
for _ in range(count):
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect((host, port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    sock.setblocking(False)
    clients.append({"sock": sock, "received": 0, "open": True})
started = reported = time.monotonic()
while any(client["open"] for client in clients):
    time.sleep(0.05)  # 20 times a second, each client takes what its rate allows since the start
    now = time.monotonic()
    for client in clients:
        allowed = int(rate * (now - started)) - client["received"]
        while client["open"] and allowed > 0:
            try:
                chunk = client["sock"].recv(min(allowed, 64 * 1024))
            except BlockingIOError:
                break
            if not chunk:
                client["open"] = False
            client["received"] += len(chunk)
            allowed -= len(chunk)
    if now - reported >= 0.5 or not any(client["open"] for client in clients):
        with open(out + ".tmp", "w") as progress:
            json.dump([[client["received"], client["open"]] for client in clients], progress)
        os.replace(out + ".tmp", out)
        reported = now
"""
WRK_REQUESTS = re.compile(r"(\d+) requests in")
WRK_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_MIX = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except Exception:  # noqa: BLE001 - any failure means "not up yet"
        return False


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def environment(args, prefix: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cso_press.settings.bench",
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{args.database}",
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_MEDIA_ROOT=str(args.media),
        DJANGO_STATIC_ROOT=str(args.media.parent / "cso-bench-kits-static"),
        DJANGO_DB_CONN_MAX_AGE="600",
        DJANGO_MEDIA_ACCEL_PREFIX="/_protected_media/",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_TRUSTED_PROXY_ADDRESSES=HOST,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_BROKER_KEY_PREFIX=prefix,
        GUNICORN_WORKERS="2",
        GUNICORN_LOG_LEVEL="warning",
        GUNICORN_ACCESS_LOG="",
    )
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def prepare(args, env: dict) -> dict:
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    shutil.rmtree(args.media, ignore_errors=True)
    args.media.mkdir(parents=True)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run(
        [PY, "manage.py", "generate_events", "--count", str(args.events)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    out = subprocess.run(
        [PY, "-c", SETUP, str(args.photos), str(args.photo_mb * 1024 * 1024)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    with listening_socket(0) as sock:
        port = sock.getsockname()[1]
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "deploy/gunicorn/gunicorn.conf.py")]
            + ["--bind", f"fd://{sock.fileno()}"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            pass_fds=[sock.fileno()],
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
    wait_until(lambda: answers(f"http://{HOST}:{port}/bench/bare/"), "gunicorn")
    return server, port


def start_nginx(args, upstream_port: int, run: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    site = SITE.read_text()
    for old, new in [
        ("/srv/cso_press/staticfiles/", f"{args.media.parent / 'cso-bench-kits-static'}/"),
        ("/srv/cso_press/media/", f"{args.media}/"),
        ("127.0.0.1:8001", f"{HOST}:{upstream_port}"),
        ("listen 8080;", f"listen {HOST}:{port};"),
    ]:
        if old not in site:
            raise SystemExit(f"{SITE} no longer contains {old!r}")
        site = site.replace(old, new)
    (run / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (run / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {run}/nginx.pid;\nerror_log {run}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        f" client_body_temp_path {run}/body;\n proxy_temp_path {run}/proxy;\n fastcgi_temp_path {run}/fastcgi;\n"
        f" uwsgi_temp_path {run}/uwsgi;\n scgi_temp_path {run}/scgi;\n include {run}/site.conf;\n}}\n"
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(run), "-c", str(run / "nginx.conf")], capture_output=True)
    if checked.returncode:
        raise SystemExit(checked.stderr.decode())
    process = subprocess.Popen([NGINX, "-p", str(run), "-c", str(run / "nginx.conf")], start_new_session=True)
    wait_until(lambda: answers(f"http://{HOST}:{port}/en/"), "nginx")
    return process, port


def download_whole(url: str, folder: Path) -> dict:
    target = folder / "kit.zip"
    started = time.monotonic()
    out = subprocess.run(
        ["curl", "-sS", "-o", str(target), "-w", "%{http_code} %{size_download}", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout.split()
    seconds = time.monotonic() - started
    with zipfile.ZipFile(target) as archive:
        bad = archive.testzip()
        members = len(archive.namelist())
    size = target.stat().st_size
    target.unlink()
    return {
        "status": int(out[0]),
        "bytes": size,
        "seconds": round(seconds, 2),
        "testzip_ok": bad is None,
        "members": members,
    }


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every live process in process group ``group`` (gunicorn and its workers,
    nginx and its worker): the machine is shared, so CPU spent per request says more than requests/s."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state, ppid, pgrp, ..., utime, stime, and the CPU time of children already reaped
        # (a worker gunicorn replaced counts in its master).
        if int(fields[2]) == group:
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk_mix(base: str, paths: list[str], args, folder: Path) -> dict:
    script = folder / "mix.lua"
    script.write_text(WRK_MIX % ", ".join(json.dumps(path) for path in paths))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        timeout=args.duration + 60,
        check=True,
    ).stdout
    pct = {p: to_ms(v, u) for p, v, u in WRK_PCT.findall(out)}
    errors = WRK_ERRORS.search(out)
    socket_errors = WRK_SOCKET_ERRORS.search(out)
    return {
        "rps": float(WRK_RATE.search(out).group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "timeouts": int(socket_errors.group(4)) if socket_errors else 0,
        "requests": int(WRK_REQUESTS.search(out).group(1)),
    }


def with_slow_clients(url: str, args, folder: Path, measure, receiving: int | None = None) -> tuple[dict, dict]:
    """Run ``measure()`` while ``--slow-clients`` connections download ``url`` at ``--slow-rate`` each, once
    ``receiving`` of them (all by default) get bytes. One process serves them all (a paced, non-blocking
    reader 20 times a second), so that the clients' own CPU on this shared machine stays small; it is
    measured and reported."""
    receiving = args.slow_clients if receiving is None else receiving
    progress = folder / "slow.json"
    progress.unlink(missing_ok=True)
    parts = urlsplit(url)
    rate = int(float(args.slow_rate.rstrip("kK")) * 1024) if args.slow_rate[-1] in "kK" else int(args.slow_rate)
    command = [PY, "-c", SLOW_CLIENTS, parts.hostname, str(parts.port), parts.path, str(rate)]
    clients = subprocess.Popen([*command, str(args.slow_clients), str(progress)], start_new_session=True)

    def state() -> list:
        return json.loads(progress.read_text()) if progress.exists() else []

    try:
        # The clients are receiving the kit before the measurement starts.
        wait_until(lambda: sum(got > 0 for got, _open in state()) >= receiving, "the slow clients", 120)
        cpu = group_cpu_seconds(clients.pid)
        result = measure()
        cpu = group_cpu_seconds(clients.pid) - cpu
        final = state()
    finally:
        stop(clients)
    return result, {
        "clients": args.slow_clients,
        "rate": args.slow_rate,
        "still_downloading_at_end": sum(is_open for _got, is_open in final),
        "mb_received_each_min": round(min((got for got, _open in final), default=0) / 2**20, 1),
        "mb_received_each_max": round(max((got for got, _open in final), default=0) / 2**20, 1),
        "clients_cpu_s": round(cpu, 2),
    }


LABELS = {
    "pages_alone": "(b) pages alone",
    "pages_with_slow_kit_downloads": "(c) + slow kit downloads (prepared kit, X-Accel-Redirect)",
    "pages_with_slow_streamed_zips": "(d) + slow downloads of the streamed zip through nginx (kit removed)",
    "pages_with_slow_streamed_zips_direct": "(e) + slow downloads of the streamed zip from gunicorn directly",
}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def round_ratios(runs: list[dict]) -> list[float]:
    alone = [row["rps"] for row in runs if row["run"] == "pages_alone"]
    loaded = [row["rps"] for row in runs if row["run"] == "pages_with_slow_kit_downloads"]
    return [with_clients / without for without, with_clients in zip(alone, loaded, strict=False) if without]


def write_report(result: dict) -> None:
    (ROOT / "docs" / "bench-kits.json").write_text(json.dumps(result, indent=2) + "\n")
    setup, runs = result["setup"], result["runs"]
    base = result["pages_alone_median_rps"]
    lines = [
        "# Press kits: download and page throughput",
        "",
        f"Written by `scripts/bench_kits.py` on {result['when']}. Machine: {result['machine']}. Set-up: "
        f"{setup['photos']} photos of {setup['photo_bytes'] // 2**20} MB (random bytes in JPEG markers, recorded "
        "as ready: a kit copies files and never decodes them) in one published release; gunicorn "
        "(deploy/gunicorn/gunicorn.conf.py, 2 sync workers, production settings on loopback, PostgreSQL) behind "
        "nginx (deploy/nginx/cso_press.conf), files on local disk sent by X-Accel-Redirect; no Celery worker.",
        "",
        f"- Kit: {setup['kit_bytes'] / 2**20:.1f} MB, built by `media.build_press_kit`'s function in "
        f"{setup['build']['wall_s']} s wall / {setup['build']['cpu_s']} s CPU; peak RSS of that process "
        f"{setup['build']['peak_rss_mb_before']} MB before the build, {setup['build']['peak_rss_mb_after']} MB "
        "after it (the zip is written to a temporary file a chunk at a time).",
    ]
    whole = result["download"]
    lines.append(
        f"- (a) Whole download through nginx: HTTP {whole['status']}, {whole['bytes']:,} bytes "
        f"({'the kit size' if whole['bytes'] == setup['kit_bytes'] else 'NOT the kit size'}), "
        f"`testzip()` {'OK' if whole['testzip_ok'] else 'FAILED'}, {whole['members']} members, {whole['seconds']} s."
    )
    lines += [
        "",
        f"Public pages: wrk, 1 thread, {result['connections']} connections, {result['duration']} s per run, "
        f"round-robin over {', '.join(result['pages'])} (through nginx). Runs (b) and (c) alternate "
        f"{result['rounds']} times, so that load from other work on the machine falls on both alike. Slow clients: "
        f"{result['slow_clients']} connections, each reading the zip at {result['slow_rate']}B/s through a 64 KB "
        "receive window (one paced client process for all), receiving before wrk starts and stopped after it. "
        "Load average at the end: "
        f"{result['load_average']}.",
        "",
        "| Run | req/s | p50 ms | p99 ms | non-2xx | wrk timeouts | vs. median (b) | gunicorn CPU ms / request "
        "| nginx CPU s | slow clients' own CPU s | load (1 min) | slow clients receiving at the end "
        "| gunicorn worker timeouts |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        ratio = f"{run['rps'] / base:.2f}" if base else "–"
        slow = run.get("slow", {})
        still = f"{slow['still_downloading_at_end']} of {slow['clients']}" if slow else "–"
        lines.append(
            f"| {LABELS[run['run']]} | {run['rps']:.0f} | {run['p50_ms']} | {run['p99_ms']} | {run['non_2xx']} "
            f"| {run['timeouts']} | {ratio} | {run['gunicorn_cpu_ms_per_request']} | {run['nginx_cpu_s']} "
            f"| {slow.get('clients_cpu_s', '–')} | {run['load_average_1min']} | {still} | {run['worker_timeouts']} |"
        )
    lines += [
        "",
        f"**Target: (c) ≥ 0.90 of (b). Measured: median (c) / median (b) = {result['ratio']:.2f}** "
        f"({result['pages_with_slow_kit_downloads_median_rps']:.0f} / {base:.0f} req/s); round by round, (c) / the "
        f"(b) just before it: {', '.join(f'{ratio:.2f}' for ratio in round_ratios(runs))}. gunicorn CPU per page "
        f"request, median: {result['cpu_ms_alone']} ms alone, {result['cpu_ms_with_slow_kits']} ms with the slow "
        "kit downloads (the machine was shared with other work, so requests/s moves from run to run; CPU per "
        "request is what the slow clients would change if they cost the application anything).",
        "",
    ]
    (ROOT / "docs" / "bench-kits.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cso_bench_kits")
    parser.add_argument("--media", type=Path, default=Path(tempfile.gettempdir()) / "cso-bench-kits-media")
    parser.add_argument("--events", type=int, default=500, help="generated releases for the pages")
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--photo-mb", type=int, default=10)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="alternations of (b) and (c)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--slow-clients", type=int, default=10)
    parser.add_argument("--slow-rate", default="500k")
    parser.add_argument("--no-streamed", action="store_true", help="skip the comparison with the streamed zip")
    args = parser.parse_args()

    prefix = f"cso-bench-kits-{uuid.uuid4().hex[:8]}:"
    env = environment(args, prefix)
    setup = prepare(args, env)
    print(f"kit {setup['kit_bytes'] / 2**20:.1f} MB built in {setup['build']['wall_s']} s", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="cso-bench-kits-"))
    run = folder / "nginx"
    run.mkdir()
    log = folder / "gunicorn.log"
    server, app_port = start_gunicorn(env, log)
    proxy = None
    runs: list[dict] = []

    def measured(key: str, url: str | None = None, receiving: int | None = None) -> None:
        seen = log.read_text(errors="replace").count("WORKER TIMEOUT")
        cpu = {}

        def pages():
            cpu.update(app=group_cpu_seconds(server.pid), web=group_cpu_seconds(proxy.pid))
            result = wrk_mix(base, setup["pages"], args, folder)
            cpu.update(app=group_cpu_seconds(server.pid) - cpu["app"], web=group_cpu_seconds(proxy.pid) - cpu["web"])
            return result

        if url is None:
            row = pages()
        else:
            result, slow = with_slow_clients(url, args, folder, pages, receiving)
            row = {**result, "slow": slow}
        row = {
            "run": key,
            **row,
            "gunicorn_cpu_s": round(cpu["app"], 2),
            "gunicorn_cpu_ms_per_request": round(1000 * cpu["app"] / row["requests"], 2) if row["requests"] else None,
            "nginx_cpu_s": round(cpu["web"], 2),
            "load_average_1min": round(os.getloadavg()[0], 1),
            "worker_timeouts": log.read_text(errors="replace").count("WORKER TIMEOUT") - seen,
        }
        runs.append(row)
        print(f"{LABELS[key]}: {row}", flush=True)

    try:
        proxy, port = start_nginx(args, app_port, run)
        base = f"http://{HOST}:{port}"
        kit_url = base + setup["zip"]
        for path in setup["pages"]:  # warm the page cache; fail loudly on an error
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path
        download = download_whole(kit_url, folder)
        print(f"(a) whole download: {download}", flush=True)
        wrk_mix(base, setup["pages"], argparse.Namespace(**{**vars(args), "duration": 5}), folder)  # warm-up
        for _round in range(args.rounds):
            measured("pages_alone")
            measured("pages_with_slow_kit_downloads", kit_url)
        if not args.no_streamed:
            (args.media / setup["kit"]).unlink()  # the kit is gone: the view streams, the build waits in the queue
            measured("pages_with_slow_streamed_zips", kit_url)
            # Each download holds a sync worker for as long as it lasts: only two can be receiving at a time.
            measured("pages_with_slow_streamed_zips_direct", f"http://{HOST}:{app_port}" + setup["zip"], receiving=1)
    finally:
        if proxy is not None:
            stop(proxy, signal.SIGQUIT)
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    alone = median([row["rps"] for row in runs if row["run"] == "pages_alone"])
    loaded = median([row["rps"] for row in runs if row["run"] == "pages_with_slow_kit_downloads"])
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
        "setup": setup,
        "download": download,
        "pages": setup["pages"],
        "duration": args.duration,
        "rounds": args.rounds,
        "connections": args.connections,
        "slow_clients": args.slow_clients,
        "slow_rate": args.slow_rate,
        "runs": runs,
        "pages_alone_median_rps": alone,
        "pages_with_slow_kit_downloads_median_rps": loaded,
        "ratio": round(loaded / alone, 3),
        "cpu_ms_alone": median([row["gunicorn_cpu_ms_per_request"] for row in runs if row["run"] == "pages_alone"]),
        "cpu_ms_with_slow_kits": median(
            [row["gunicorn_cpu_ms_per_request"] for row in runs if row["run"] == "pages_with_slow_kit_downloads"]
        ),
    }
    write_report(report)
    print(f"ratio median (c) / median (b) = {report['ratio']:.2f}; wrote docs/bench-kits.md and .json")
    if not download["testzip_ok"] or download["bytes"] != setup["kit_bytes"]:
        raise SystemExit("the kit did not download whole")


if __name__ == "__main__":
    main()
