"""What one request of each page costs the application, measured inside one Python process.

Run by `make bench` with the benchmark's settings and database. Each page is requested through Django's
WSGI handler (all middleware, no HTTP server), once to warm up and then ``--repeat`` times one after the
other. Reported per request: wall time, and the CPU time of this process alone (``time.process_time``),
which leaves out PostgreSQL's and Redis's own work and moves much less than wrk's rates when the machine is
busy with something else.

Usage: page_cost.py --repeat N --pages '[["label", "/path?query"], ...]'   (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from io import BytesIO
from pathlib import Path

import django
from django.core.handlers.wsgi import WSGIHandler

# The project root, so that cso_press and events import when run as `python scripts/page_cost.py`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--pages", required=True, help="JSON list of [label, path] pairs")
    args = parser.parse_args()

    django.setup()
    handler = WSGIHandler()

    def request(path: str) -> str:
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        body = handler(environ, lambda line, headers: status.append(line))
        try:
            for _chunk in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()
        return status[0]

    results = []
    for label, path in json.loads(args.pages):
        status = request(path)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            request(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        results.append(
            {
                "page": label,
                "path": path,
                "status": status,
                "wall_ms": round(wall / args.repeat * 1000, 2),
                "cpu_ms": round(cpu / args.repeat * 1000, 2),
            }
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
