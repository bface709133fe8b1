"""The release list, its search, the dashboard and the release page in the admin stay cheap as the archive grows
(events/admin/lists.py): what an editor sees, and the queries that would grow with the archive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import Event, Section
from tests.events.roles import user_in
from tests.factories import EventFactory, EventPressContactFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_event_changelist"


@pytest.fixture
def editor_client(client):
    client.force_login(user_in("Editor"))
    return client


def listed_titles(response) -> set[str]:
    return {row.title for row in response.context["cl"].result_list}


def test_the_search_box_matches_words_as_the_public_search_does(editor_client):
    EventFactory(title="Ministers agree on water treaty", lead="Signed in Vienna.")
    EventFactory(title="Budget hearing", lead="The ministers met the committee.", slug="budget-hearing-2026")
    EventFactory(title="Unrelated briefing", lead="Nothing about that.")

    by_word = editor_client.get(reverse(CHANGELIST), {"q": "ministers"})
    by_slug = editor_client.get(reverse(CHANGELIST), {"q": "budget-hearing-2026"})

    assert listed_titles(by_word) == {"Ministers agree on water treaty", "Budget hearing"}
    assert listed_titles(by_slug) == {"Budget hearing"}


def test_the_search_box_finds_a_release_by_its_number(editor_client):
    wanted = EventFactory(title="Press conference on the mandate")
    EventFactory(title="Another release")

    response = editor_client.get(reverse(CHANGELIST), {"q": str(wanted.pk)})

    assert listed_titles(response) == {"Press conference on the mandate"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's (SQLite matches substrings)")
def test_the_search_box_stems_words_in_the_release_language(editor_client):
    EventFactory(title="Министры подписали соглашение", language="ru", slug="ministry-ru")
    EventFactory(title="The minister signed", language="en")

    russian = editor_client.get(reverse(CHANGELIST), {"q": "министр"})
    english = editor_client.get(reverse(CHANGELIST), {"q": "ministers"})

    assert listed_titles(russian) == {"Министры подписали соглашение"}
    assert listed_titles(english) == {"The minister signed"}


def test_the_date_filter_splits_upcoming_from_past(editor_client):
    now = timezone.now()
    EventFactory(title="Next week's summit", starts_at=now + timedelta(days=7))
    EventFactory(title="Last year's summit", starts_at=now - timedelta(days=400))

    upcoming = editor_client.get(reverse(CHANGELIST), {"when": "upcoming"})
    past = editor_client.get(reverse(CHANGELIST), {"when": "past"})

    assert listed_titles(upcoming) == {"Next week's summit"}
    assert listed_titles(past) == {"Last year's summit"}
    assert "Upcoming" in upcoming.text and "Last year" in upcoming.text


def test_a_small_list_gives_its_exact_count_and_no_second_count_of_everything(editor_client):
    for number in range(3):
        EventFactory(title=f"Release {number}")

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse(CHANGELIST), {"status__exact": "published"})

    assert "3 releases" in response.text
    unconditioned = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "WHERE" not in q["sql"]]
    assert unconditioned == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row estimate: it always counts")
def test_a_list_beyond_a_thousand_rows_is_estimated_not_counted(editor_client):
    section = Section.objects.create(name="Archive", slug="archive")
    start = timezone.now() - timedelta(days=3000)
    Event.objects.bulk_create(
        Event(
            title=f"Archived release {number}",
            slug=f"archived-{number}",
            section=section,
            starts_at=start + timedelta(hours=number),
            status=Event.Status.PUBLISHED,
            publish_at=start,
        )
        for number in range(1200)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE events_event")

    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert "About 1200 releases" in response.text
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    # Counted no further than the 1,001st row (then PostgreSQL's estimate): never the whole table.
    assert counts and all("LIMIT 1001" in sql for sql in counts)


def test_the_dashboard_warns_about_recent_releases_without_a_contact_not_the_archive(editor_client):
    now = timezone.now()
    EventFactory(title="Tomorrow's briefing", starts_at=now + timedelta(days=1))
    EventFactory(title="A briefing of 2019", starts_at=now - timedelta(days=2000))
    covered = EventFactory(title="Covered briefing", starts_at=now + timedelta(days=2))
    EventPressContactFactory(event=covered)

    response = editor_client.get(reverse("admin:events_event_dashboard"))

    warned = {event.title for event in response.context["no_contact"]}
    assert warned == {"Tomorrow's briefing"}
    assert "Releases of the last 30 days and everything ahead." in response.text


def test_the_release_page_writes_only_the_picked_people_not_the_whole_directory(editor_client):
    event = EventFactory(title="Summit with many guests", draft=True)
    picked = PersonFactory(name="Aurelia Picked")
    for number in range(25):
        PersonFactory(name=f"Unpicked Person {number}")
    event.participant_links.create(person=picked, position=0)

    response = editor_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert "Aurelia Picked" in response.text
    assert "Unpicked Person" not in response.text
