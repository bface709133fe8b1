from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Event
from tests.factories import EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_public_returns_only_published_events_that_are_due():
    published = EventFactory(title="Published", publish_at=NOW - timedelta(minutes=1))
    due_now = EventFactory(title="Due this second", publish_at=NOW)
    EventFactory(title="Draft", draft=True)
    EventFactory(title="In review", in_review=True)
    EventFactory(title="Withdrawn", withdrawn=True, publish_at=NOW - timedelta(days=2))
    EventFactory(title="Scheduled", publish_at=NOW + timedelta(seconds=1))

    assert set(Event.objects.public()) == {published, due_now}


def test_scheduled_event_becomes_public_at_its_publish_time():
    scheduled = EventFactory(publish_at=NOW + timedelta(hours=2))
    with time_machine.travel(NOW + timedelta(hours=2) - timedelta(seconds=1), tick=False):
        assert scheduled not in Event.objects.public()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert scheduled in Event.objects.public()


def test_database_rejects_an_end_before_the_start():
    event = EventFactory()
    event.ends_at = event.starts_at - timedelta(hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.ends_at)


def test_database_rejects_two_english_versions_of_one_release():
    first = EventFactory(language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(language="en", translation_key=first.translation_key)
    russian = EventFactory(language="ru", translation_key=first.translation_key)
    assert list(first.translations()) == [russian]


def test_database_rejects_a_published_event_without_publication_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(status=Event.Status.PUBLISHED, publish_at=None)


def test_slug_is_unique_within_a_language_but_may_repeat_across_languages():
    EventFactory(slug="summit", language="en")
    EventFactory(slug="summit", language="ru")
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(slug="summit", language="en")


def test_model_validation_reports_end_before_start_as_a_form_error():
    event = EventFactory.build(section=SectionFactory(), starts_at=NOW, ends_at=NOW - timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "The end must not be before the start." in str(excinfo.value)


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ('<p>Hello</p><script>alert("x")</script>', "<script"),
        ('<p><img src="x" onerror="alert(1)">Photo</p>', "onerror"),
        ('<p><a href="javascript:alert(1)">click</a></p>', "javascript:"),
        ('<p onclick="steal()">Text</p>', "onclick"),
        ('<p><a href="JaVaScRiPt:alert(1)">click</a></p>', "alert"),
        ("<style>body{display:none}</style><p>Text</p>", "<style"),
        ('<iframe src="https://evil.example/"></iframe><p>Text</p>', "<iframe"),
    ],
)
def test_body_is_sanitised_on_save(dirty, forbidden):
    event = EventFactory(body=dirty)
    event.refresh_from_db()
    assert forbidden.lower() not in event.body.lower()


def test_sanitising_keeps_the_formatting_editors_use():
    body = (
        "<h2>Talks</h2><p><strong>Bold</strong> and <em>italic</em>, "
        '<a href="https://example.org/">a link</a>.</p><blockquote><p>A quote.</p></blockquote>'
        "<ul><li>one</li></ul><ol><li>two</li></ol>"
    )
    event = EventFactory(body=body)
    event.refresh_from_db()
    for fragment in ["<h2>Talks</h2>", "<strong>Bold</strong>", "<em>italic</em>", "<blockquote>", "<ul>", "<ol>"]:
        assert fragment in event.body
    assert 'href="https://example.org/"' in event.body


def test_event_on_day_includes_each_day_of_a_multi_day_event():
    summit = EventFactory(
        starts_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 12, 18, 0, tzinfo=UTC),
    )
    for day in (10, 11, 12):
        assert summit in Event.objects.on_day(datetime(2026, 3, day).date())
    assert summit not in Event.objects.on_day(datetime(2026, 3, 13).date())
    assert summit not in Event.objects.on_day(datetime(2026, 3, 9).date())
