"""`make bench`: load each public page type with wrk against gunicorn + PostgreSQL on loopback.

Every page run is preceded by a run of a bare constant view in the same server, and the page's rate is
reported as a ratio to that bare rate, so figures compare across machines. Configurations: "uncached" (no
whole-page cache), "cached" (the page cache in Redis, as in production) and "front" (the same pages through the
recipe's shared cache, Varnish, in front of the cached configuration's gunicorn; the bare view still straight
from gunicorn; without varnishd its rows say "not measured"). Results go to docs/benchmarks.md (table),
docs/benchmarks.json and the README's block between the bench markers.

Only loopback addresses are contacted; every wrk run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

import varnish_front  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def base_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cso_press.settings.bench",
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{args.database}",
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_MEDIA_ROOT="/tmp/cso-bench-media",
        DJANGO_STATIC_ROOT="/tmp/cso-bench-static",
        DJANGO_DB_CONN_MAX_AGE="600",
        # No broker here: photos, kits and exports are made inside the request or command that asks for them.
        DJANGO_TASKS_IN_PROCESS="1",
    )
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    return env


def prepare_database(args, env: dict) -> None:
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.database}"')
            fresh = True
        else:
            fresh = False
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    if fresh:
        shutil.rmtree("/tmp/cso-bench-media", ignore_errors=True)
        started = time.monotonic()
        run([PY, "manage.py", "generate_events", "--count", str(args.count)], env, stdout=subprocess.DEVNULL)
        print(f"generated {args.count} events in {time.monotonic() - started:.0f} s")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env)


def discover_urls(env: dict) -> list[tuple[str, str]]:
    """Ask Django for one URL of each public page type, over the generated archive."""
    code = r"""
import json, django
django.setup()
from django.urls import reverse, NoReverseMatch
from django.utils import translation
from events.models import Event, Section
translation.activate("en")
event = Event.objects.public().filter(language="en").order_by("-starts_at").first()
old = Event.objects.public().filter(language="en").order_by("starts_at").first()
section = Section.objects.filter(slug__startswith="gen-").first()
pages = [("bare view", "/bench/bare/")]
def add(label, name, *args, **kwargs):
    try:
        pages.append((label, reverse(name, args=args, kwargs=kwargs or None)))
    except NoReverseMatch:
        pass
add("home", "events:home")
add("event page", "events:detail", slug=event.slug)
add("event page (old)", "events:detail", slug=old.slug)
add("all events p1", "events:list")
deep = max(2, Event.objects.public().filter(language="en").count() * 4 // 5 // 20)
pages.append((f"all events p{deep}", reverse("events:list") + f"?page={deep}"))
add("section page", "events:section", slug=section.slug)
add("calendar month", "events:calendar-month", year=event.starts_at.year, month=event.starts_at.month)
add("calendar month (old)", "events:calendar-month", year=old.starts_at.year, month=old.starts_at.month)
try:
    pages.append(("search", reverse("events:search") + "?q=border+cooperation"))
    pages.append(("all events words", reverse("events:list") + "?q=border+cooperation"))
except NoReverseMatch:
    pass
add("RSS feed", "events:feed-rss")
pages.append(("static file (WhiteNoise)", None))
print(json.dumps(pages))
"""
    out = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    pages = json.loads(out.strip().splitlines()[-1])
    static = next(iter(sorted((Path("/tmp/cso-bench-static") / "css").glob("*.*.css"))), None)
    return [(label, url if url else f"/static/css/{static.name}" if static else None) for label, url in pages]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:  # noqa: BLE001 - any failure means "not up yet"
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url}")


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PCT = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    pct = {p: to_ms(v, u) for p, v, u in WRK_PCT.findall(out)}
    errors = WRK_ERRORS.search(out)
    return {
        "rps": float(WRK_RATE.search(out).group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def listening_socket(port: int) -> socket.socket:
    """A socket listening on loopback: on ``port``, or on a free port the system picks when ``port`` is 0.

    gunicorn is handed the socket itself (``fd://``), so no other process can take the port between the
    moment it is chosen and the moment the server starts.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


FRONT = "front"
# Pages that never reach the shared cache in the production recipe, and why (their "front" row says so).
NOT_IN_FRONT = {"static file (WhiteNoise)": "not through Varnish (nginx serves /static/ in the recipe)"}


def not_measured(label: str, pages, reason: str) -> list[dict]:
    """A row per page saying why ``label`` has no figures for it."""
    rows = [
        {"config": label, "page": name, "path": path, "not_measured": reason}
        for name, path in pages
        if path is not None and name != "bare view"
    ]
    for row in rows:
        print(f"{label:>8} {row['page']:<26} {row['not_measured']}")
    return rows


def serve_and_measure(args, env: dict, pages, label: str, front: bool = False) -> list[dict]:
    """Each page with wrk, after a run of the bare view; with ``front``, the pages are requested through Varnish
    (the recipe's VCL, scripts/varnish_front.py) in front of this gunicorn, the bare view straight from it."""
    with listening_socket(args.port) as sock:
        port = sock.getsockname()[1]
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "cso_press.wsgi", "-w", "2", "-b", f"fd://{sock.fileno()}"]
            + ["--log-level", "warning"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            pass_fds=[sock.fileno()],
        )
    try:
        wait_for(f"http://{HOST}:{port}/bench/bare/")
        with varnish_front.running(port) if front else contextlib.nullcontext() as cache:
            origin = cache.url if cache else f"http://{HOST}:{port}"
            rows = []
            for name, path in pages:
                if path is None or name == "bare view":
                    continue
                if cache and name in NOT_IN_FRONT:
                    rows.append({"config": label, "page": name, "path": path, "not_measured": NOT_IN_FRONT[name]})
                    continue
                url = origin + path
                with urllib.request.urlopen(url, timeout=30) as response:  # warm up, and fail loudly on errors
                    status = response.status
                    x_cache = response.headers.get("X-Cache")
                bare = wrk(f"http://{HOST}:{port}/bench/bare/", args.duration, args.connections)
                before = settled_counters(cache) if cache else None
                page = wrk(url, args.duration, args.connections)
                row = {
                    "config": label,
                    "page": name,
                    "path": path,
                    "status": status,
                    **page,
                    "bare_rps": bare["rps"],
                    "ratio": round(page["rps"] / bare["rps"], 3) if bare["rps"] else None,
                }
                if cache:
                    row["x_cache_first"] = x_cache
                    row["varnish"] = counter_delta(before, settled_counters(cache))
                rows.append(row)
                print(f"{label:>8} {name:<26} {page['rps']:>8.0f} req/s  ratio {row['ratio']}")
        return rows
    finally:
        stop_process_group(server)


def stop_process_group(process: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM to a process started with ``start_new_session`` and everything it started; SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def settled_counters(front, deadline_seconds: float = 10, pause: float = 0.5) -> dict[str, int]:
    """Varnish's counters once they stop moving: its threads add their own counts to the shared ones a little
    after their requests, so a reading taken as wrk ends can miss the last of them."""
    deadline = time.monotonic() + deadline_seconds
    last = front.counters()
    while time.monotonic() < deadline:
        time.sleep(pause)
        now = front.counters()
        if now == last:
            return now
        last = now
    return last


def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after.get(name, 0) - before.get(name, 0) for name in after}


def front_hit_ratio(rows: list[dict]) -> float | None:
    """Varnish's hits / (hits + misses + passes) over the front rows' wrk runs (None: nothing measured)."""
    deltas = [row["varnish"] for row in rows if row["config"] == FRONT and "varnish" in row]
    hits = sum(delta.get("hits", 0) for delta in deltas)
    lookups = hits + sum(delta.get("misses", 0) + delta.get("passes", 0) for delta in deltas)
    return hits / lookups if lookups else None


def table_row(row: dict) -> str:
    """One line of the main table; a page not measured says why across the figures' cells."""
    if "not_measured" in row:
        return f"| {row['config']} | {row['page']} | {row['not_measured']} | – | – | – | – |"
    return (
        f"| {row['config']} | {row['page']} | {row['rps']:.0f} | {row['p50_ms'] or 0:.1f} | "
        f"{row['p99_ms'] or 0:.1f} | {row['ratio']:.3f} | {row['non_2xx']} |"
    )


def measure_in_process(env: dict, pages, label: str, repeat: int) -> list[dict]:
    """Per-request wall and CPU time inside one process (scripts/page_cost.py), for each page."""
    wanted = [[name, path] for name, path in pages if path]
    out = subprocess.run(
        [PY, str(ROOT / "scripts" / "page_cost.py"), "--repeat", str(repeat), "--pages", json.dumps(wanted)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    for row in rows:
        row["config"] = label
        print(f"{label:>8} {row['page']:<26} {row['cpu_ms']:>8.2f} ms CPU per request in-process")
    return rows


ADMIN_GOAL_MS = 150


def measure_admin(env: dict, repeat: int) -> list[dict]:
    """The editors' screens over the same archive (scripts/bench_admin.py), in one process, as an editor and as
    the superuser: server time p50/p95 and queries per request."""
    code = (
        "import json, sys, django; django.setup(); sys.path.insert(0, '.'); "
        "from scripts.bench_admin import measure; "
        f"print(json.dumps(measure(repeat={repeat})))"
    )
    admin_env = {**env, "DJANGO_ALLOWED_HOSTS": f"{HOST},testserver"}
    out = subprocess.run(
        [PY, "-c", code], env=admin_env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=1200
    ).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    for row in rows:
        print(
            f"   admin {row['who']:<9} {row['screen']:<32} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms"
        )
    return rows


def admin_lines(admin_rows: list[dict], args) -> list[str]:
    return [
        "",
        f"The editors' admin at {args.count:,} releases (`scripts/bench_admin.py`): server time of each screen, "
        "Django's test client in one process (middleware, view, template; no HTTP server), "
        f"{args.admin_repeat} requests each after one warm-up, signed in as an editor (the Editor role) and as the "
        f"superuser. Goal: p95 ≤ {ADMIN_GOAL_MS} ms; **unfiltered counts** = `SELECT COUNT(*)` over every release "
        "per request (goal 0).",
        "",
        "| who | screen | p50 ms | p95 ms | queries | unfiltered counts | goal met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        *(
            f"| {row['who']} | {row['screen']} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['queries']} "
            f"| {row['full_counts']} | {'yes' if row['p95_ms'] <= ADMIN_GOAL_MS and not row['full_counts'] else 'NO'} |"
            for row in admin_rows
        ),
    ]


def front_lines(rows: list[dict]) -> list[str]:
    """What the "front" rows are, under the table."""
    front = [row for row in rows if row["config"] == FRONT]
    if not front:
        return []
    ratio = front_hit_ratio(rows)
    lines = [
        "",
        "**front** = the same pages requested through the shared cache of the production recipe (Varnish with "
        'deploy/varnish/cso_press.vcl, `scripts/varnish_front.py`) in front of the "cached" configuration\'s '
        "gunicorn; its **ratio** = the rate through Varnish / the bare view's rate straight from gunicorn in the "
        "same run (the bare view is not cacheable, so it is never asked through Varnish).",
    ]
    if ratio is not None:
        lines[-1] += f" Varnish hit ratio over the front runs: {ratio:.2%} (hits / (hits + misses + passes))."
    return lines


def write_report(rows: list[dict], args, costs: list[dict] | None = None, admin_rows: list[dict] | None = None) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {stamp}: {args.count:,} generated events on PostgreSQL, gunicorn with 2 sync",
        f"workers, `wrk -t1 -c{args.connections} -d{args.duration}s` per page, each page run preceded by a run of",
        "a bare constant view in the same server. **Ratio** = the page's rate / that bare rate (1.0 = as fast",
        f"as Django can answer at all here). Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| config | page | req/s | p50 ms | p99 ms | ratio | non-2xx |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [table_row(row) for row in rows]
    lines += front_lines(rows)
    pairs = [
        ("all events p", "all events p1"),
        ("event page (old)", "event page"),
        ("calendar month (old)", "calendar month"),
    ]
    lines += [
        "",
        "Deep pages and old dates against their page-1 equivalent (acceptance: no slower than 2×, target ≥ 0.9×):",
        "",
        "| config | page | rate / page-1 rate |",
        "| --- | --- | ---: |",
    ]
    for config in dict.fromkeys(row["config"] for row in rows):
        by_page = {row["page"]: row for row in rows if row["config"] == config}
        for deep_prefix, first in pairs:
            for page, row in by_page.items():
                if (
                    page.startswith(deep_prefix)
                    and page != first
                    and "rps" in row
                    and by_page.get(first, {}).get("rps")
                ):
                    lines.append(f"| {config} | {page} | {row['rps'] / by_page[first]['rps']:.2f} |")
    if costs:
        lines += [
            "",
            f"Cost of one request inside the application: `scripts/page_cost.py`, Django's WSGI handler called "
            f"{args.repeat} times in a row per page in one process (no HTTP server, no concurrency). **CPU** is "
            "this process's own CPU time (PostgreSQL and Redis not included), which moves much less than the "
            "rates above when the machine is busy; **× bare** is that CPU time over the bare view's.",
            "",
            "| config | page | wall ms | CPU ms | × bare |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for config in dict.fromkeys(row["config"] for row in costs):
            bare = next((row for row in costs if row["config"] == config and row["page"] == "bare view"), None)
            for row in costs:
                if row["config"] != config:
                    continue
                times = f"{row['cpu_ms'] / bare['cpu_ms']:.1f}" if bare and bare["cpu_ms"] else "–"
                lines.append(f"| {config} | {row['page']} | {row['wall_ms']:.2f} | {row['cpu_ms']:.2f} | {times} |")
    if admin_rows:
        lines += admin_lines(admin_rows, args)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines += ["", f"Load average when the run ended (1, 5, 15 min): {load} on {os.cpu_count()} cores."]
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "benchmarks.md").write_text("\n".join(lines) + "\n")
    report = {
        "written": stamp,
        "count": args.count,
        "rows": rows,
        "in_process": costs or [],
        "admin": admin_rows or [],
    }
    (docs / "benchmarks.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {docs / 'benchmarks.md'}")
    update_readme(lines)


README_START = "<!-- bench:start (written by make bench) -->"
README_END = "<!-- bench:end -->"


def update_readme(lines: list[str]) -> None:
    """Put the tables just written between the README's benchmark markers, so README shows this run."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        print("README.md has no benchmark markers; left as it is")
        return
    head, rest = text.split(README_START, 1)
    _old, tail = rest.split(README_END, 1)
    body = "\n".join(line for line in lines[2:])  # without the "# Benchmarks" title
    readme.write_text(f"{head}{README_START}\n{body}\n{README_END}{tail}")
    print(f"updated the tables in {readme}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database", default="cso_bench")
    parser.add_argument("--port", type=int, default=0, help="loopback port for gunicorn (default: a free one)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark database")
    parser.add_argument(
        "--redis-url", default=f"redis://{HOST}:6379/5", help="the Redis of the cached configurations (emptied)"
    )
    parser.add_argument("--repeat", type=int, default=100, help="requests per page for the in-process cost table")
    parser.add_argument(
        "--no-cache-run", action="store_true", help="also measure with no cache backend at all (dummy cache)"
    )
    parser.add_argument("--admin-repeat", type=int, default=30, help="requests per admin screen")
    parser.add_argument(
        "--admin-only", action="store_true", help="only the admin screens (prints their table, writes nothing)"
    )
    args = parser.parse_args()
    if args.admin_only:
        env = base_env(args)
        prepare_database(args, env)
        print("\n".join(admin_lines(measure_admin(env, args.admin_repeat), args)))
        return 0
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    env = base_env(args)
    prepare_database(args, env)
    # Start from an empty cache, so no figure depends on what an earlier run left behind.
    redis.Redis.from_url(args.redis_url).flushdb()
    pages = discover_urls(env)
    redis_env = {"REDIS_URL": args.redis_url}
    # "uncached": the whole-page cache is off, so every request runs its view, queries and template; Redis
    # still holds the few small values the site keeps per content version in production (list totals,
    # filter menus, the next scheduled publication). "no cache": not even those, the worst case.
    uncached = {**env, **redis_env, "DJANGO_PAGE_CACHE_SECONDS": "0"}
    rows = serve_and_measure(args, uncached, pages, "uncached")
    rows += serve_and_measure(args, {**env, **redis_env}, pages, "cached")
    # "front": the cached configuration behind the recipe's shared cache (Varnish), as readers reach it.
    if varnish_front.available():
        rows += serve_and_measure(args, {**env, **redis_env}, pages, FRONT, front=True)
    else:
        rows += not_measured(FRONT, pages, "not measured (varnishd not installed)")
    if args.no_cache_run:
        rows += serve_and_measure(args, {**env, "CACHE_URL": "dummy://"}, pages, "no cache")
    costs = measure_in_process(uncached, pages, "uncached", args.repeat)
    costs += measure_in_process({**env, **redis_env}, pages, "cached", args.repeat)
    admin_rows = measure_admin({**env, **redis_env}, args.admin_repeat)
    write_report(rows, args, costs, admin_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
