"""The home page's database work does not grow with the archive, above all when no event is under way."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Section
from events.page_cache import bump_content_version

pytestmark = pytest.mark.django_db

PER_YEAR = 1_000  # releases a year: the archive grows backwards at the same density
SHOWN_FIELDS = ("pk", "starts_at")


def archive(section, years: int, *, before_years: int = 0, seed: int = 0) -> None:
    """``years`` of past releases (one in twelve runs over several days, all over by now), ending
    ``before_years`` ago, written in one go."""
    now = timezone.now()
    count = PER_YEAR * years
    step = timedelta(days=365 * years) / count
    newest = now - timedelta(days=365 * before_years + 4)
    rows = []
    for number in range(count):
        starts = newest - step * number
        rows.append(
            Event(
                title=f"Archived release {seed}-{number}",
                slug=f"archived-{seed}-{number}",
                section=section,
                starts_at=starts,
                ends_at=starts + timedelta(days=1 + number % 3) if number % 12 == 0 else None,
                status=Event.Status.PUBLISHED,
                publish_at=starts - timedelta(days=1),
                language="en",
                translation_key=uuid.uuid4(),
            )
        )
    Event.objects.bulk_create(rows, batch_size=2_000)


def future(section) -> list[Event]:
    now = timezone.now()
    rows = [
        Event(
            title=f"Coming event {number}",
            slug=f"coming-{number}",
            section=section,
            starts_at=now + timedelta(days=number + 1),
            ends_at=now + timedelta(days=number + 3) if number % 2 else None,
            status=Event.Status.PUBLISHED,
            publish_at=now - timedelta(days=1),
            language="en",
            translation_key=uuid.uuid4(),
        )
        for number in range(6)
    ]
    return Event.objects.bulk_create(rows)


def upcoming_by_hand(now) -> list[int]:
    """The rule of ``upcoming()`` written plainly: public, not over yet, soonest first."""
    rows = [
        event
        for event in Event.objects.public(now).in_language("en")
        if event.starts_at >= now or (event.ends_at is not None and event.ends_at >= now)
    ]
    return [event.pk for event in sorted(rows, key=lambda event: (event.starts_at, event.pk))]


def home_queries(client) -> list[str]:
    """The queries of the home page when it makes its values again (the first request after a change; later
    ones find them kept per content version and run one query)."""
    client.get(reverse("events:home"))  # warm the per-process values (routes, chrome)
    bump_content_version()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("events:home")).status_code == 200
    return [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]


def postgresql_buffers(sql: str) -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    first = re.search(r"Buffers: shared( hit=(\d+))?( read=(\d+))?", plan)
    touched = int(first.group(2) or 0) + int(first.group(4) or 0) if first else 0
    return touched, plan


def test_upcoming_gives_the_same_events_as_its_rule_written_plainly():
    section = Section.objects.create(name="Summits", slug="summits")
    archive(section, years=1)
    future(section)
    now = timezone.now()
    running = Event.objects.create(
        title="Running forum",
        slug="running-forum",
        section=section,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=1),
        status=Event.Status.PUBLISHED,
        publish_at=now - timedelta(days=2),
        language="en",
    )
    expected = upcoming_by_hand(now)
    assert expected[0] == running.pk
    assert list(Event.objects.public(now).in_language("en").upcoming(now).values_list("pk", flat=True)) == expected
    running.delete()
    expected = upcoming_by_hand(now)
    assert list(Event.objects.public(now).in_language("en").upcoming(now).values_list("pk", flat=True)) == expected


def bounded(small: str, large: str) -> None:
    touched_small, _plan = postgresql_buffers(small)
    touched_large, plan = postgresql_buffers(large)
    assert "Seq Scan on events_event" not in plan, plan
    # A deeper index is a page more per level, never ten times the rows.
    assert touched_large <= touched_small + 20, plan
    assert touched_large <= 400, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plans and buffers of PostgreSQL, where it is served")
def test_the_home_pages_queries_stay_bounded_as_the_archive_grows_tenfold(client):
    """Nothing under way (the worst case the issue measured): 2,000 releases, then 20,000. The buffers each
    query touches (EXPLAIN ANALYZE BUFFERS) stay within a budget that does not depend on the archive: the
    "upcoming" query before the table has statistics (its plan must not depend on them) and every query of
    the page once it has (as autovacuum gives it after a load)."""
    section = Section.objects.create(name="Summits", slug="summits")
    archive(section, years=2)
    future(section)
    small = home_queries(client)
    archive(section, years=18, before_years=2, seed=1)
    assert Event.objects.count() == 20_006
    large = home_queries(client)
    assert len(large) == len(small)
    upcoming = [index for index, sql in enumerate(large) if "COALESCE" in sql and "ends_at" in sql]
    assert len(upcoming) == 1
    bounded(small[upcoming[0]], large[upcoming[0]])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")
    for before, after in zip(small, large, strict=True):
        bounded(before, after)
    now = timezone.now()
    shown = Event.objects.public(now).in_language("en").upcoming(now).values_list("pk", flat=True)
    assert list(shown) == upcoming_by_hand(now)
