"""The publish storm (`make loadtest`, second part; `make loadtest-storm` alone): readers through the shared
cache while an editor publishes.

    varnishd (deploy/varnish/cso_press.vcl)  ->  gunicorn (2 sync workers, page cache in Redis)  ->  PostgreSQL
         ^ PURGE, Surrogate-Key: ...                ^
    a Celery worker (task cache.purge_tags)     an editor process publishing through events.services.releases

- 200 readers (`wrk -c200`) for 60 s through Varnish, round-robin over the public pages the load test uses;
- meanwhile an editor publishes one release every 2 s: a separate Python process, with Django set up on the
  same database, calling `releases.event_publish`, the function the admin's Publish button calls
  (events/admin/views/transitions.py). The purge goes the production way: right after the commit the process
  that made the change sends PURGE to Varnish (events.cache_invalidation.send_purge); a real Celery worker is
  there for the task `cache.purge_tags`, which takes over a purge that failed, and for the other work a
  publication sends (alerts, press kit);
- for each publication, the time from its commit to the first anonymous answer through Varnish showing its
  title, on each of the pages polled (home, All events page 1, the section page: pages the readers hit, so
  they were cached).

Goals (issue 20): 0 errors, p99 <= 300 ms, Varnish hit ratio >= 90 %, every release visible within 1 s. Each
goal prints PASS or FAIL. What would be a bug fails the run (exit code 1): an error, a hit ratio under 90 %, a
release not shown within 15 s or not published during the readers. The two timing goals (p99, visible within
1 s) depend on what else the 2-core machine runs: they are measured and printed, and fail the run only with
--strict (run it so on a quiet machine). The figures go to docs/loadtest.md (storm section).
Only loopback addresses are contacted; wrk stops by itself after --duration seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

import varnish_front  # noqa: E402
from bench import (
    HOST,
    PY,
    ROOT,
    base_env,
    counter_delta,
    discover_urls,
    listening_socket,
    prepare_database,
    settled_counters,
    stop_process_group,
    wait_for,
)  # noqa: E402
from loadtest import lua_script, parse_wrk  # noqa: E402

GOAL_P99_MS = 300
GOAL_HIT_RATIO = 0.90
GOAL_VISIBLE_S = 1.0
# How often a poller asks for a page, and how long it waits for a release before calling it never seen.
POLL_INTERVAL_S = 0.05
POLL_DEADLINE_S = 15.0
# The pages a release must show on (by their label in bench.discover_urls).
WATCHED = ("home", "all events p1", "section page")
# The editor process: Django set up on the same database and settings as gunicorn (scripts/storm_editor.py).
EDITOR = (
    "import sys, django; django.setup(); sys.path.insert(0, '.'); "
    "from scripts.storm_editor import main; sys.exit(main(sys.argv[1:]))"
)
STORM_START = "<!-- storm:start (written by scripts/storm.py) -->"
STORM_END = "<!-- storm:end -->"


# --- Arithmetic and reporting (tests/deploy/test_storm_parts.py) -------------------------------------------------


def hit_ratio(before: dict[str, int], after: dict[str, int]) -> float | None:
    """Answers served from the cache over all lookups, between two readings of varnishstat:
    hits / (hits + misses + passes). None when nothing was looked up."""
    delta = counter_delta(before, after)
    lookups = delta.get("hits", 0) + delta.get("misses", 0) + delta.get("passes", 0)
    return delta.get("hits", 0) / lookups if lookups else None


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least pct % of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def first_visible(fetch, needle: str, *, deadline: float, interval: float, clock=time.time, sleep=time.sleep):
    """Ask ``fetch()`` for the page until its text contains ``needle``: the clock time of the first answer that
    does, or None when ``deadline`` (a clock time) passes first. A failed fetch counts as not shown yet."""
    while True:
        try:
            text = fetch()
        except OSError:
            text = ""
        now = clock()
        if needle in text:
            return now
        if now >= deadline:
            return None
        sleep(interval)


PURGED_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): INFO/[^\]]*\] Purged \d+ cache tags", re.M)


def purge_times(log: str) -> list[float]:
    """The clock times at which the worker finished a purge, from its log (local time, as Celery writes it)."""
    return [
        time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(ms) / 1000
        for stamp, ms in PURGED_LINE.findall(log)
    ]


def purge_delays(commits: list[float], purges: list[float]) -> list[float | None]:
    """For each commit, the seconds until the first purge finished after it (None: none did)."""
    return [next((moment - commit for moment in sorted(purges) if moment >= commit), None) for commit in commits]


@dataclass
class Publication:
    title: str
    committed: float
    seen: dict[str, float | None] = field(default_factory=dict)

    @property
    def delay(self) -> float | None:
        """Seconds from the commit until every watched page showed it (None: one never did)."""
        if not self.seen or any(moment is None for moment in self.seen.values()):
            return None
        return max(moment - self.committed for moment in self.seen.values())


@dataclass
class Goal:
    name: str
    measured: str
    passed: bool
    timing: bool = False  # a speed goal: fails the run only with --strict

    @property
    def line(self) -> str:
        kind = " (timing goal)" if self.timing else ""
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}{kind}: {self.measured}"


def run_failed(goals: list[Goal], strict: bool) -> bool:
    return any(not goal.passed and (strict or not goal.timing) for goal in goals)


def judge(result: dict) -> list[Goal]:
    """The storm's goals, each met or not, from the figures in ``result``."""
    sockets = "/".join(map(str, result["socket_errors"]))
    errors = result["non_2xx"] + sum(result["socket_errors"])
    p99 = result["p99_ms"]
    ratio = result["hit_ratio"]
    seen = [delay for delay in result["delays"] if delay is not None]
    unseen = len(result["delays"]) - len(seen)
    worst = max(seen) if seen else None
    during = sum(1 for moment in result["published_at"] if 0 <= moment <= result["readers_seconds"])
    published = f"{during}/{result['planned']} published while the readers ran"
    every_one = during == result["published"] == result["planned"] > 0 and not unseen
    return [
        Goal("errors = 0", f"{result['non_2xx']} non-2xx/3xx, socket errors {sockets}", errors == 0),
        Goal(
            f"p99 <= {GOAL_P99_MS} ms",
            f"{p99:.0f} ms" if p99 is not None else "not measured",
            p99 is not None and p99 <= GOAL_P99_MS,
            timing=True,
        ),
        Goal(
            f"hit ratio >= {GOAL_HIT_RATIO:.0%}",
            f"{ratio:.2%}" if ratio is not None else "no lookups",
            ratio is not None and ratio >= GOAL_HIT_RATIO,
        ),
        Goal(
            f"every release published during the readers and shown within {POLL_DEADLINE_S:g} s",
            f"{published}" + (f", {unseen} never seen" if unseen else ", all seen"),
            every_one,
        ),
        Goal(
            f"every release visible within {GOAL_VISIBLE_S:g} s",
            f"max {worst:.2f} s" if worst is not None else "none seen",
            every_one and worst is not None and worst <= GOAL_VISIBLE_S,
            timing=True,
        ),
    ]


def report_lines(result: dict, goals: list[Goal], args) -> list[str]:
    seen = [delay for delay in result["delays"] if delay is not None]
    unseen = len(result["delays"]) - len(seen)
    p95 = percentile(seen, 95)
    delays = ", ".join("never" if delay is None else f"{delay:.2f}" for delay in result["delays"])
    published_at = ", ".join(f"{moment:.1f}" for moment in result["published_at"])
    purges = ", ".join("–" if delay is None else f"{delay:.2f}" for delay in result["purge_delays"])
    return [
        "## Publish storm through the shared cache",
        "",
        f"Written by `scripts/storm.py` on {result['written']}: "
        f"`wrk -t{args.threads} -c{args.connections} -d{args.duration}s` "
        f"through Varnish (deploy/varnish/cso_press.vcl, {result['varnish_version']}) in front of gunicorn "
        f"({args.workers} sync workers, page cache in Redis) + PostgreSQL, {args.count:,} generated events, "
        "round-robin over "
        f"{len(result['paths'])} public pages. Meanwhile an editor process publishes one release every "
        f"{args.interval:g} s through `events.services.releases.event_publish` (what the admin's Publish button "
        "calls); the purge goes as in production: the editor's process sends PURGE with the tags to Varnish "
        "right after the commit, a Celery worker "
        + (
            "(1 process on the default queue only; media and mail on another worker: --purge-worker)"
            if args.purge_worker
            else "(the recipe's: every queue, 2 processes)"
        )
        + " takes over a purge that fails (task `cache.purge_tags`) and does the rest of a publication's work.",
        "",
        "| requests | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors | hit ratio | hits | misses | passes "
        "| bans added | backend requests |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {result['requests']} | {result['rps']:.0f} | {result['p50_ms'] or 0:.0f} | {result['p99_ms'] or 0:.0f} "
        f"| {result['non_2xx']} | {'/'.join(map(str, result['socket_errors']))} "
        f"| {result['hit_ratio']:.2%} | {result['varnish']['hits']} | {result['varnish']['misses']} "
        f"| {result['varnish']['passes']} | {result['varnish']['bans']} | {result['varnish']['backend_requests']} |"
        if result["hit_ratio"] is not None
        else "| – | – | – | – | – | – | no lookups | – | – | – | – | – |",
        "",
        f"Visibility: time from the commit of each publication to the first answer through Varnish showing its "
        f"title on every page polled ({', '.join(result['watched'])}; polled every {POLL_INTERVAL_S * 1000:.0f} "
        f"ms): {result['published']} of {result['planned']} published, max "
        + (f"{max(seen):.2f} s, p95 {p95:.2f} s" if seen else "–")
        + (f", {unseen} never seen within {POLL_DEADLINE_S:g} s" if unseen else "")
        + ".",
        "",
        f"Each delay in seconds, in publishing order: {delays or '–'}.",
        "",
        f"Slowest on each page alone: {per_page_worst(result) or '–'}.",
        "",
        f"Each publication's commit, in seconds after the readers started: {published_at or '–'}.",
        "",
        *(
            [
                "Purges the worker had to take over (task `cache.purge_tags`), time from the commit until done: "
                f"{purges}.",
                "",
            ]
            if any(delay is not None for delay in result["purge_delays"])
            else []
        ),
        "| goal | measured | result |",
        "| --- | --- | --- |",
        *(f"| {goal.name} | {goal.measured} | {'PASS' if goal.passed else 'FAIL'} |" for goal in goals),
        "",
        f"Load average (1, 5, 15 min) as the readers started: {result['load_before']}; when the storm ended: "
        f"{result['load']}, on {os.cpu_count()} cores (wrk, Varnish, gunicorn, the worker, the editor, PostgreSQL "
        "and Redis all share them, with whatever else the machine runs).",
    ]


def per_page_worst(result: dict) -> str:
    """The longest delay on each watched page on its own (a page that never showed a release: "never")."""
    worst = {}
    for committed, seen in zip(result["commits"], result["seen"], strict=True):
        for page, moment in seen.items():
            delay = None if moment is None else moment - committed
            if page not in worst or worst[page] is not None and (delay is None or delay > worst[page]):
                worst[page] = delay
    return ", ".join(f"{page} {'never' if delay is None else f'{delay:.2f} s'}" for page, delay in worst.items())


def replace_block(text: str, lines: list[str], start: str = STORM_START, end: str = STORM_END) -> str:
    """``text`` with the block between the storm markers replaced by ``lines`` (added at the end if absent)."""
    block = f"{start}\n" + "\n".join(lines) + f"\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        return head + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + ("\n\n" if text.strip() else "") + block + "\n"


# --- The storm ---------------------------------------------------------------------------------------------------


def start_worker(env: dict, log: Path, queues: str = "default,media,mail", processes: int = 2) -> subprocess.Popen:
    """A Celery worker; by default the recipe's (deploy/systemd/cso-press-worker.service): every queue, 2 processes
    (its default on this 2-core machine)."""
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "cso_press", "worker", "--queues", queues, "--concurrency", str(processes)]
        + ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "-n", f"storm-{log.stem}-{os.getpid()}@%h"],
        env=env,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker stopped at start; its log: {log}")
        if " ready." in log.read_text():
            return worker
        time.sleep(0.2)
    stop_process_group(worker)
    raise SystemExit(f"the Celery worker was not ready within 60 s; its log: {log}")


def fetcher(url: str):
    def fetch() -> str:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.read().decode("utf-8", "replace")

    return fetch


def watch(publication: Publication, urls: dict[str, str]) -> list[threading.Thread]:
    """One poller per watched page, from now until the release shows or the deadline passes."""

    def poll(name: str, url: str) -> None:
        publication.seen[name] = first_visible(
            fetcher(url), publication.title, deadline=publication.committed + POLL_DEADLINE_S, interval=POLL_INTERVAL_S
        )

    threads = [threading.Thread(target=poll, args=(name, url), daemon=True) for name, url in urls.items()]
    for thread in threads:
        thread.start()
    return threads


def storm(args, env: dict, pages: list[tuple[str, str]], front: varnish_front.Front, workdir: Path) -> dict:
    paths = [path for _name, path in pages]
    watched = {name: front.url + path for name, path in pages if name in WATCHED}
    section = next(path for name, path in pages if name == "section page").rstrip("/").rsplit("/", 1)[1]
    editor = subprocess.Popen(
        [PY, "-c", EDITOR, "--releases", str(args.duration // args.interval), "--interval", str(args.interval)]
        + ["--offset", "1", "--section", section, "--token", args.token],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=(workdir / "editor.log").open("w"),
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in editor.stdout], daemon=True).start()
    try:
        ready = json.loads(lines.get(timeout=300))
        planned = ready["ready"]
        warm_up = Publication(title=ready["warm_up"]["title"], committed=ready["warm_up"]["committed"])
        for poller in watch(warm_up, {"home": front.url + "/en/"}):
            poller.join()
        if warm_up.delay is None:
            raise SystemExit(f"the warm-up release never showed through Varnish; logs in {workdir}")
        for path in paths:  # every page cached before the readers come
            urllib.request.urlopen(front.url + path, timeout=30).read()  # noqa: S310 - loopback
        before = settled_counters(front)
        script = lua_script(paths, workdir)
        load_before = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        readers_started = time.time()
        reader = subprocess.Popen(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}"]
            + [f"-d{args.duration}s", "--timeout", "20s", "--latency", "-s", str(script), front.url],
            stdout=subprocess.PIPE,
            text=True,
        )
        editor.stdin.write("go\n")
        editor.stdin.flush()
        publications: list[Publication] = []
        pollers: list[threading.Thread] = []
        deadline = time.monotonic() + args.duration + 120
        while time.monotonic() < deadline:
            try:
                message = json.loads(lines.get(timeout=5))
            except queue.Empty:
                if editor.poll() is not None:
                    break
                continue
            if "done" in message:
                break
            publication = Publication(title=message["title"], committed=message["committed"])
            publications.append(publication)
            pollers += watch(publication, watched)
        out, _ = reader.communicate(timeout=args.duration + 60)
        after = settled_counters(front)
        for poller in pollers:
            poller.join(timeout=POLL_DEADLINE_S + 10)
    finally:
        if editor.poll() is None:
            stop_process_group(editor)
    if reader.returncode:
        raise SystemExit(f"wrk failed (exit {reader.returncode})")
    print(out)
    return {
        "written": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "paths": paths,
        "watched": list(watched),
        **parse_wrk(out),
        "hit_ratio": hit_ratio(before, after),
        "varnish": counter_delta(before, after),
        "varnish_version": varnish_version(),
        "planned": planned,
        # When each publication was committed, in seconds after the readers started: a storm only if inside.
        "published_at": [publication.committed - readers_started for publication in publications],
        "readers_seconds": args.duration,
        "published": len(publications),
        "commits": [publication.committed for publication in publications],
        "seen": [publication.seen for publication in publications],
        "delays": [publication.delay for publication in publications],
        "purge_delays": purge_delays(
            [publication.committed for publication in publications], purge_times((workdir / "worker.log").read_text())
        ),
        "load_before": load_before,
        "load": ", ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000, help="generated events (a new database only)")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--interval", type=int, default=2, help="seconds between two publications")
    parser.add_argument("--connections", type=int, default=200)
    # One wrk thread: with two on a 2-core machine, wrk and Varnish's ~200 busy threads left the editor and its
    # database connection so little CPU that, in 20 s runs on 2026-12-06, the publications after the first one
    # all waited until the readers stopped (1 of 10 committed while they ran): no storm was measured at all.
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--purge-worker",
        action="store_true",
        help="not the recipe's layout: a worker of its own (1 process) for the default queue, where the purge goes",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn's sync workers (2 as in the load test; the recipe: 2 x cores + 1)",
    )
    parser.add_argument("--strict", action="store_true", help="a missed timing goal (p99, 1 s) fails the run too")
    parser.add_argument("--database", default="cso_loadtest")
    parser.add_argument("--redis-url", default=f"redis://{HOST}:6379/6", help="page cache and task broker (emptied)")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database (the load test's)")
    args = parser.parse_args()
    if not varnish_front.available():
        raise SystemExit("varnishd is missing: apt-get install -y varnish")
    args.token = datetime.now(UTC).strftime("%Y%m%d%H%M%S")  # this run's titles and slugs
    env = base_env(args)
    prepare_database(args, env)
    pages = [(name, path) for name, path in discover_urls(env) if path and path.startswith("/en/")]
    redis.Redis.from_url(args.redis_url).flushdb()
    env.pop("DJANGO_TASKS_IN_PROCESS")  # tasks go to the broker, as in production
    workdir = Path(tempfile.mkdtemp(prefix="cso-storm-"))
    with listening_socket(0) as sock:
        port = sock.getsockname()[1]
        with varnish_front.running(port) as front:
            env = {**env, "REDIS_URL": args.redis_url, "DJANGO_CACHE_PURGE_URLS": front.purge_url}
            server = subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "cso_press.wsgi",
                    "-w",
                    str(args.workers),
                    "-b",
                    f"fd://{sock.fileno()}",
                ]
                + ["--backlog", "2048", "--log-level", "warning"],
                env=env,
                cwd=ROOT,
                start_new_session=True,
                pass_fds=[sock.fileno()],
            )
            workers = []
            try:
                wait_for(f"http://{HOST}:{port}/bench/bare/")
                if args.purge_worker:
                    # cache.purge_tags goes to the default queue (CELERY_TASK_ROUTES): a worker of its own there.
                    workers.append(start_worker(env, workdir / "worker.log", queues="default", processes=1))
                    workers.append(start_worker(env, workdir / "worker-media-mail.log", queues="media,mail"))
                else:
                    workers.append(start_worker(env, workdir / "worker.log"))
                result = storm(args, env, pages, front, workdir)
            finally:
                stop_process_group(server)
                for worker in workers:
                    stop_process_group(worker)
    redis.Redis.from_url(args.redis_url).flushdb()
    goals = judge(result)
    (workdir / "result.json").write_text(json.dumps(result, indent=1))
    lines = report_lines(result, goals, args)
    report = ROOT / "docs" / "loadtest.md"
    report.write_text(replace_block(report.read_text() if report.exists() else "", lines))
    print("\n".join(lines))
    print()
    for goal in goals:
        print(goal.line)
    print(f"wrote {report}")
    if not run_failed(goals, args.strict):
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"the worker's and the editor's logs, and the figures: {workdir}")
    return 1


def varnish_version() -> str:
    out = subprocess.run([varnish_front.VARNISHD, "-V"], capture_output=True, text=True).stderr
    return out.splitlines()[0] if out else "varnishd"


if __name__ == "__main__":
    sys.exit(main())
