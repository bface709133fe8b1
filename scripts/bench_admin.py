"""The editors' admin at scale: server time of the screens an editor opens all day, over a big archive.

Run inside Django (``manage.py shell -c`` or ``scripts/bench.py --admin``) against a database that already holds
the archive (``generate_events``). Each screen is requested ``repeat`` times through Django's test client, as a
signed-in editor (the Editor role, not a superuser: what editors see is narrower and must be as fast) and as the
superuser; the figures are the wall time of the whole request inside the server (middleware, view, template),
p50 and p95 in milliseconds, and the number of SQL queries. A query that counts every release without a
condition (``SELECT COUNT(*) FROM events_event`` with no WHERE) is reported by name: the issue forbids one on
every page load.
"""

from __future__ import annotations

import re
import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event, Person, Section

EDITOR_NAME = "bench-admin-editor"
SUPERUSER_NAME = "bench-admin-root"
FULL_COUNT = re.compile(r'SELECT COUNT\(\*\) AS "__count" FROM "events_event"\s*$', re.IGNORECASE)


def _users():
    users = get_user_model()
    editor, _ = users.objects.get_or_create(username=EDITOR_NAME, defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name="Editor"))
    root, _ = users.objects.get_or_create(username=SUPERUSER_NAME, defaults={"is_staff": True, "is_superuser": True})
    return editor, root


def screens() -> list[tuple[str, str]]:
    """One address per screen, over the data that is there."""
    changelist = reverse("admin:events_event_changelist")
    section = Section.objects.filter(events__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    event = Event.objects.filter(status=Event.Status.PUBLISHED).order_by("-pk").first()
    person = Person.objects.order_by("pk").first()
    autocomplete = reverse("admin:autocomplete") + "?app_label=events"
    return [
        ("release list", changelist),
        ("release list, page 50", f"{changelist}?p=50"),
        ("release list, published", f"{changelist}?status__exact=published"),
        ("release list, section filter", f"{changelist}?section__id__exact={section}"),
        ("release list, this year", f"{changelist}?when=this_year"),
        ("release list, search", f"{changelist}?q=summit"),
        ("release list, search + filter", f"{changelist}?q=ministers&status__exact=published"),
        (
            "autocomplete, people",
            f"{autocomplete}&model_name=eventparticipant&field_name=person&term={person.name[:4] if person else 'an'}",
        ),
        ("autocomplete, organisations", f"{autocomplete}&model_name=event&field_name=organizations&term=un"),
        ("dashboard", reverse("admin:events_event_dashboard")),
        ("release history", reverse("admin:events_event_history", args=[event.pk])),
        ("release change page", reverse("admin:events_event_change", args=[event.pk])),
    ]


def measure(repeat: int = 30) -> list[dict]:
    editor, root = _users()
    rows = []
    for who, user in (("editor", editor), ("superuser", root)):
        client = Client()
        client.force_login(user)
        for label, url in screens():
            client.get(url)  # warm: templates, the first connection, the cached site identity
            times = []
            with CaptureQueriesContext(connection) as queries:
                first = len(connection.queries)
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"{label}: {url} answered {response.status_code}")
            per_request = queries.captured_queries[first:]
            full_counts = sum(1 for query in per_request if FULL_COUNT.search(query["sql"]))
            times.sort()
            rows.append(
                {
                    "who": who,
                    "screen": label,
                    "url": url,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
                    "queries": round(len(per_request) / repeat, 1),
                    "full_counts": round(full_counts / repeat, 1),
                }
            )
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| Who | Screen | p50 ms | p95 ms | Queries | Unfiltered counts |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['who']} | {row['screen']} | {row['p50_ms']} | {row['p95_ms']} | {row['queries']} "
            f"| {row['full_counts']} |"
        )
    return lines
