"""gunicorn for cso_press behind nginx (deploy/nginx/cso_press.conf): `gunicorn -c deploy/gunicorn/gunicorn.conf.py`.

Sync workers are enough because no request holds one for long: pages take milliseconds, uploads only store
the file (the photo work is a Celery task), and files and press kits are sent by nginx (X-Accel-Redirect) or
the bucket (a presigned address). nginx buffers what the application answers, so a slow client never keeps a
worker busy either. The settings below can be overridden from the environment (GUNICORN_*).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
wsgi_app = "cso_press.wsgi"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# A request that runs longer than this is a bug or a stuck database: the worker is killed and replaced.
# Nothing legitimate comes close (kits are prepared in the background; see README, "Storage").
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# nginx keeps connections to the upstream open (`keepalive 16`); a little longer than its idle time.
keepalive = 75
# Workers are not recycled by default: a new worker loads Django again and starts with an empty page cache
# (seconds of slower answers under load). Set GUNICORN_MAX_REQUESTS (e.g. 50000) if memory ever creeps up;
# the jitter keeps workers from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# Requests larger than a photo upload are refused by nginx (client_max_body_size) before they get here.
forwarded_allow_ips = "127.0.0.1"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log (nginx keeps one)
errorlog = "-"
# gunicorn's control socket (`gunicornc`: worker status, more or fewer workers) only where it is asked for: its
# default place, $XDG_RUNTIME_DIR or ~/.gunicorn/, is shared by every gunicorn of the user and read-only under
# the systemd unit's hardening, which gives it /run/cso-press-web/ instead (deploy/systemd/cso-press-web.service).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "") or "gunicorn.ctl"
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


# ----------------------------------------------------------------------------------------------------------
# Prometheus metrics across workers (docs/observability.md; this block belongs to the observability part).
# With PROMETHEUS_MULTIPROC_DIR set (an empty folder, shared by this server's workers, made at boot), each
# worker writes its metrics to files there and /metrics adds them up. A worker that exits leaves its counters
# (they still count) and has its live gauges removed here.
# ----------------------------------------------------------------------------------------------------------
def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 - keeps this block self-contained

        multiprocess.mark_process_dead(worker.pid)
