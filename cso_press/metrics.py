"""The site's Prometheus metrics, and one small function per thing counted.

A leaf module: it imports nothing of the project, so any app (events, accounts, a mail app to come) may count
through it. With ``PROMETHEUS_MULTIPROC_DIR`` in the environment of a process, prometheus-client writes every
value to a file of that process in that folder, and the ``/metrics`` view adds up the files of all the
gunicorn workers (and of Celery workers on the same host): see docs/observability.md. Without it (dev, tests)
the values live in the process.

Label values are kept to small, known sets (URL names, task names, status classes), never a path or an id.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Seconds; a page from the cache takes about a millisecond, a search page tens, a slow admin screen a second.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "cso_http_request_duration_seconds",
    "Time from the request reaching the application to its response, per URL name.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter("cso_http_responses", "Responses sent, by status class (2xx, 3xx, 4xx, 5xx).", ["status"])
PAGE_CACHE = Counter(
    "cso_page_cache_requests",
    "Requests seen by the anonymous page cache: hit, miss, or bypass (not cacheable: staff, POST, ...).",
    ["result"],
)
TASKS = Counter(
    "cso_tasks", "Celery tasks finished, by task name and state (success, failure, retry).", ["task", "state"]
)
MAIL_MESSAGES = Counter("cso_mail_messages", "E-mail messages handed to the mail server, by status.", ["status"])

PAGE_CACHE_RESULTS = frozenset({"hit", "miss", "bypass"})
TASK_STATES = frozenset({"success", "failure", "retry"})
MAIL_STATUSES = frozenset({"sent", "failed", "bounced", "deferred"})


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def observe_request(view: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(view).observe(seconds)
    RESPONSES.labels(status_class(status)).inc()


def count_page_cache(result: str) -> None:
    """``result`` is what the page cache put in ``request.cso_page_cache``; anything else is not counted."""
    if result in PAGE_CACHE_RESULTS:
        PAGE_CACHE.labels(result).inc()


def count_task(task: str, state: str) -> None:
    if state not in TASK_STATES:
        raise ValueError(f"Unknown task state {state!r}; one of {sorted(TASK_STATES)}.")
    TASKS.labels(task, state).inc()


def count_mail(status: str) -> None:
    """One e-mail message handed over (``sent``) or not (``failed``, ``bounced``, ``deferred``)."""
    if status not in MAIL_STATUSES:
        raise ValueError(f"Unknown mail status {status!r}; one of {sorted(MAIL_STATUSES)}.")
    MAIL_MESSAGES.labels(status).inc()


# Series that exist (at 0) from the start, so that a dashboard shows 0 rather than nothing and a ratio such as
# hits / (hits + misses) is defined before the first hit.
for _result in PAGE_CACHE_RESULTS:
    PAGE_CACHE.labels(_result)
for _status in MAIL_STATUSES:
    MAIL_MESSAGES.labels(_status)
