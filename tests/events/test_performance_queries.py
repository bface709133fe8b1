"""Public pages run a small, constant number of queries, and the shortcuts that keep them fast at archive
scale (bounded upcoming walk, split calendar overlap, anchored deep pages, ranked candidates) answer exactly
what the plain queries would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import pagination
from events.models import Event
from events.page_cache import content_version, one_version_per_request
from events.pagination import ArchivePaginator
from events.selectors.identity import IDENTITY_KEY, NO_ROW
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhoneNumberFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


# Acceptance 2: every public page, with 1 and with 50 related items, runs the same number of queries (≤ 6).


@pytest.mark.parametrize("size", [1, 50])
def test_event_page_runs_eight_queries_then_one_with_one_or_fifty_people_contacts_photos_and_organisations(
    client, size
):
    event = EventFactory(slug="summit")
    for number in range(size):
        EventParticipantFactory(event=event, person=PersonFactory(organization=OrganizationFactory()), position=number)
        contact = PressContactFactory(organization=OrganizationFactory())
        PhoneNumberFactory(person=contact)
        EventPressContactFactory(event=event, person=contact, position=number)
        PhotoFactory(event=event)
        event.organizations.add(OrganizationFactory())
        EventFactory(section=event.section)

    # Release with its translations, people, their phones, attachments, organisations, and the content version
    # (read once per request, from the database). The first request of a content version also finds the
    # "other events" and the next scheduled publication, which bounds how long those are kept; later requests
    # reuse them, and the release with its parts too (issue 20): the content version alone.
    assert queries_for(client, "/en/events/summit/") == 8
    assert queries_for(client, "/en/events/summit/") == 1
    response = client.get("/en/events/summit/")
    assert len(response.context["participants"]) == size
    assert len(response.context["press_contacts"]) == size
    assert len(response.context["photos"]) == size


def test_event_page_lists_participants_and_contacts_in_their_editorial_order(client):
    event = EventFactory(slug="summit")
    both = PressContactFactory(name="Both Roles")
    EventParticipantFactory(event=event, person=PersonFactory(name="Second Speaker"), position=2)
    EventParticipantFactory(event=event, person=both, position=1)
    EventPressContactFactory(event=event, person=PressContactFactory(name="First Contact"), position=0)
    EventPressContactFactory(event=event, person=both, position=5)

    context = client.get("/en/events/summit/").context

    assert [person.name for person in context["participants"]] == ["Both Roles", "Second Speaker"]
    assert [person.name for person in context["press_contacts"]] == ["First Contact", "Both Roles"]


def build_archive(size: int) -> None:
    """``size`` public releases around NOW, each with a cover, a person and an organisation, plus an
    ongoing multi-day one, in one section with a sub-section."""
    parent = SectionFactory(slug="news")
    child = SectionFactory(slug="briefings", parent=parent)
    person = PersonFactory(slug="ivan")
    organisation = OrganizationFactory(slug="agency")
    for number in range(size):
        event = EventFactory(
            title=f"Border cooperation talks {number}",
            section=child if number % 2 else parent,
            starts_at=NOW + timedelta(hours=number * 5 - 100),
            publish_at=NOW - timedelta(days=30),
        )
        event.cover = PhotoFactory(event=event)
        event.save()
        EventParticipantFactory(event=event, person=person)
        event.organizations.add(organisation)
    EventFactory(
        section=parent,
        starts_at=NOW - timedelta(days=3),
        ends_at=NOW + timedelta(days=3),
        publish_at=NOW - timedelta(days=30),
    )


# Queries of each page with an empty cache, the same with 1 and with 50 events. Lists then keep their total,
# filter menus and the next scheduled publication per content version, which the steady state shows. The
# written rows are kept per content version too: the day, upcoming and directory pages read the content
# version (in production the page cache has read it already) and, on a miss, the next scheduled publication
# (+2). Month grids are kept by what they show and need neither. Feeds: the releases, then their lead photos.
PAGE_QUERIES = {
    "/en/": 6,
    "/en/events/": 7,
    "/en/sections/news/": 9,
    "/en/calendar/2026/3/": 1,
    "/en/calendar/2026/3/18/": 3,
    "/en/calendar/upcoming/": 4,
    "/en/search/?q=border+cooperation": 5,
    "/en/feeds/rss/": 2,
    "/en/feeds/atom/": 2,
    "/en/sections/news/feeds/rss/": 3,
    "/en/people/": 2,
    "/en/people/ivan/": 6,
    "/en/organisations/": 2,
    "/en/organisations/agency/": 6,
    "/en/contacts/": 1,
}


@pytest.mark.parametrize("size", [1, 50])
def test_every_public_page_runs_the_same_few_queries_with_one_or_fifty_events(client, time_machine, size):
    time_machine.move_to(NOW, tick=False)
    build_archive(size)
    cold, warm = {}, {}
    for path in PAGE_QUERIES:
        cache.clear()
        # The first request of a content version; the office's identity is read once per site, not per version.
        cache.set(IDENTITY_KEY, (0, NO_ROW), None)
        cold[path] = queries_for(client, path)
        warm[path] = queries_for(client, path)

    assert cold == PAGE_QUERIES
    assert max(warm.values()) <= 6, warm


def test_all_events_with_a_warm_cache_needs_only_the_page_and_its_menu_also_on_a_deep_page(
    client, time_machine, monkeypatch
):
    time_machine.move_to(NOW, tick=False)
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 30)
    build_archive(50)
    client.get("/en/events/?page=3")

    # The content version alone: the count, the anchor, the page's keys (rows 41-50, ten past the anchor at
    # row 31), its written rows and the filter menus are all remembered under that version (issue 20).
    assert queries_for(client, "/en/events/?page=3") == 1
    # The same for the first page, which has nothing to skip.
    client.get("/en/events/")
    assert queries_for(client, "/en/events/") == 1


# Correctness of the shortcuts.


def titles(events) -> list[str]:
    return [event.title for event in events]


def test_upcoming_starts_with_an_event_under_way_for_months_and_leaves_out_what_is_over(time_machine):
    time_machine.move_to(NOW, tick=False)
    exhibition = EventFactory(title="Exhibition", starts_at=NOW - timedelta(days=200), ends_at=NOW + timedelta(days=9))
    EventFactory(title="Yesterday", starts_at=NOW - timedelta(days=1))
    EventFactory(title="Ended an hour ago", starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(hours=1))
    EventFactory(title="Tomorrow", starts_at=NOW + timedelta(days=1))
    EventFactory(title="In an hour", starts_at=NOW + timedelta(hours=1))

    upcoming = Event.objects.public().upcoming()

    assert titles(upcoming) == ["Exhibition", "In an hour", "Tomorrow"]
    assert exhibition.starts_at < NOW


def test_upcoming_with_nothing_under_way_starts_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    EventFactory(title="Past", starts_at=NOW - timedelta(minutes=1))
    EventFactory(title="Now", starts_at=NOW)

    assert titles(Event.objects.public().upcoming()) == ["Now"]


def test_overlapping_finds_events_starting_inside_or_still_running_and_nothing_else():
    start, end = NOW, NOW + timedelta(days=1)
    EventFactory(title="Inside", starts_at=start + timedelta(hours=3))
    EventFactory(title="At the start", starts_at=start)
    EventFactory(
        title="Running since last week", starts_at=start - timedelta(days=7), ends_at=start + timedelta(hours=1)
    )
    EventFactory(title="Ends as the window opens", starts_at=start - timedelta(days=1), ends_at=start)
    EventFactory(title="Ended before", starts_at=start - timedelta(days=2), ends_at=start - timedelta(seconds=1))
    EventFactory(title="Point event before", starts_at=start - timedelta(seconds=1))
    EventFactory(title="At the end", starts_at=end)

    found = titles(Event.objects.overlapping(start, end).order_by("starts_at"))

    assert found == ["Running since last week", "Ends as the window opens", "At the start", "Inside"]


def test_anchored_deep_pages_hold_exactly_the_rows_of_the_plain_list(monkeypatch):
    """Ties on the start time are where a keyset walk goes wrong; half of these share one."""
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 7)
    shared = NOW - timedelta(days=10)
    for number in range(45):
        EventFactory(title=f"Release {number:02}", starts_at=shared if number % 2 else NOW - timedelta(hours=number))
    events = Event.objects.public().order_by("-starts_at", "-pk")
    expected = titles(events)

    paginator = ArchivePaginator(events, 4, count_key="anchored-test")
    pages = [titles(paginator.page(number)) for number in paginator.page_range]

    assert [title for page in pages for title in page] == expected
    assert len(pages) == 12


def test_a_deep_page_walks_from_its_anchor_instead_of_from_the_top(monkeypatch):
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 10)
    for number in range(30):
        EventFactory(starts_at=NOW - timedelta(hours=number))
    events = Event.objects.public().order_by("-starts_at", "-pk")
    ArchivePaginator(events, 5, count_key="walk-test").page(5)  # remembers the count and the anchor of row 20
    paginator = ArchivePaginator(events, 5, count_key="walk-test")

    # As in a request, whose content version was read once before the list (the page cache does).
    with one_version_per_request(content_version()), CaptureQueriesContext(connection) as captured:
        page = paginator.page(5)

    # The anchor sits exactly at the page's first row: nothing is skipped, the page's rows are one query.
    assert len(captured.captured_queries) == 1
    assert "OFFSET" not in captured.captured_queries[0]["sql"].upper()
    assert titles(page) == titles(events)[20:25]

    # Two rows past an anchor: the keys skip two index entries from the anchor, in a subquery of the rows'.
    ArchivePaginator(events, 2, count_key="walk-test-2").page(12)
    with one_version_per_request(content_version()), CaptureQueriesContext(connection) as captured:
        page = ArchivePaginator(events, 2, count_key="walk-test-2").page(12)
    assert len(captured.captured_queries) == 1
    assert re.search(r"LIMIT 2 OFFSET 2\)", captured.captured_queries[0]["sql"].upper())
    assert titles(page) == titles(events)[22:24]


def test_feed_body_is_one_chunk_so_it_is_sent_and_cached_in_one_piece(client):
    for _ in range(5):
        EventFactory()

    response = client.get("/en/feeds/rss/")

    assert response.status_code == 200
    assert len(list(response)) == 1
    assert response.content.count(b"<item>") == 5
