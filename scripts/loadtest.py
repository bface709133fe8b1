"""`make loadtest`: 200 concurrent readers for 60 s on a mix of public pages, gunicorn + PostgreSQL on loopback.

Passes only with zero socket errors and zero non-2xx/3xx answers. Prints p50/p99 and writes
docs/loadtest.md. Traffic goes to 127.0.0.1 only and wrk stops by itself after --duration seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import HOST, ROOT, base_env, discover_urls, prepare_database, to_ms, wait_for  # noqa: E402

# wrk walks the list of paths round-robin, one per request.
LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""
SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
# The storm's section of docs/loadtest.md (scripts/storm.py), kept when this part rewrites the file.
STORM_BLOCK = re.compile(r"<!-- storm:start.*?<!-- storm:end -->", re.S)


def lua_script(paths: list[str], folder: Path | None = None) -> Path:
    """A wrk script walking ``paths`` round-robin, written to a new file in ``folder`` (or the temp folder)."""
    script = Path(tempfile.mkstemp(suffix=".lua", dir=folder)[1])
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths))
    return script


def parse_wrk(out: str) -> dict:
    """What `wrk --latency` printed: requests, req/s, p50/p99 in ms, non-2xx/3xx answers, socket errors."""
    pct = {p: to_ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = SOCKET_ERRORS.search(out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": [int(x) for x in socket.groups()] if socket else [0, 0, 0, 0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--database", default="cso_loadtest")
    parser.add_argument("--port", type=int, default=8198)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    env = base_env(args)
    prepare_database(args, env)
    paths = [path for name, path in discover_urls(env) if path and not path.startswith("/bench/")]
    script = lua_script(paths)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "cso_press.wsgi", "-w", "2", "-b", f"{HOST}:{args.port}"]
        + ["--backlog", "2048", "--log-level", "warning"],
        env={**env, "REDIS_URL": f"redis://{HOST}:6379/6"},
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_for(f"http://{HOST}:{args.port}/bench/bare/")
        out = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "20s", "--latency"]
            + ["-s", str(script), f"http://{HOST}:{args.port}"],
            capture_output=True,
            text=True,
            timeout=args.duration + 60,
            check=True,
        ).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(out)
    figures = parse_wrk(out)
    non_2xx, socket = figures["non_2xx"], figures["socket_errors"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = [
        "# Load test",
        "",
        f"Written by `make loadtest` on {stamp}: {args.connections} concurrent connections for {args.duration} s,",
        f"round-robin over {len(paths)} public pages, gunicorn (2 sync workers) + PostgreSQL + Redis on loopback,",
        f"{args.count:,} generated events.",
        "",
        "| requests | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors (connect/read/write/timeout) |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {figures['requests']} | {figures['rps']:.0f} | {figures['p50_ms'] or 0:.0f} | "
        f"{figures['p99_ms'] or 0:.0f} | {non_2xx} | {'/'.join(map(str, socket))} |",
    ]
    (ROOT / "docs").mkdir(exist_ok=True)
    target = ROOT / "docs" / "loadtest.md"
    storm = STORM_BLOCK.search(target.read_text()) if target.exists() else None
    target.write_text("\n".join(report) + "\n" + (f"\n{storm.group(0)}\n" if storm else ""))
    print("\n".join(report))
    if non_2xx or any(socket):
        print("load test FAILED: errors under load")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
