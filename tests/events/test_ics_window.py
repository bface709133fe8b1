"""The subscription calendars of a busy office: every upcoming event, a bounded recent past, zones, contacts and
the refresh interval, in a file the icalendar library reads back."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine

from events.ics import CALENDAR_MAX_PAST, CALENDAR_PAST_DAYS
from events.models import Event
from tests.factories import EventPressContactFactory, PhoneNumberFactory, PressContactFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
RELEASES = 3000
ZONES = ("Europe/Moscow", "Asia/Vladivostok", "UTC")


@pytest.fixture
def two_years_of_releases():
    """3,000 public English releases, one every 5.84 hours from 22 months ago to 2 months ahead, in two
    sections and three zones, each announced a month ahead (or an hour ago): a busy office's archive."""
    sections = [SectionFactory(slug="politics"), SectionFactory(slug="economy")]
    first = NOW - timedelta(days=670)
    step = timedelta(days=730) / RELEASES
    events = [
        Event(
            title=f"Release {number}",
            slug=f"release-{number}",
            section=sections[number % 2],
            language="en",
            translation_key=uuid.uuid4(),
            time_zone=ZONES[number % 3],
            starts_at=first + step * number,
            ends_at=first + step * number + timedelta(hours=2),
            status=Event.Status.PUBLISHED,
            publish_at=min(first + step * number - timedelta(days=30), NOW - timedelta(hours=1)),
        )
        for number in range(RELEASES)
    ]
    return Event.objects.bulk_create(events, batch_size=1000), sections


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content, icalendar.Calendar.from_ical(response.content)


def titles(calendar) -> list[str]:
    return [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")]


@time_machine.travel(NOW, tick=False)
def test_the_subscription_holds_every_upcoming_event_and_the_most_recent_past(client, two_years_of_releases):
    events, _sections = two_years_of_releases
    upcoming = [event.title for event in events if event.ends_at >= NOW]
    recent_past = [event.title for event in events if NOW - timedelta(days=CALENDAR_PAST_DAYS) <= event.ends_at < NOW]
    assert len(upcoming) > 200 and len(recent_past) > CALENDAR_MAX_PAST  # the window is busier than its bound

    _content, calendar = fetch(client, "/en/calendar.ics")

    shown = titles(calendar)
    assert len(shown) == len(upcoming) + CALENDAR_MAX_PAST
    assert shown[-len(upcoming) :] == upcoming
    # The past is cut from its oldest end: what stays is the most recent, up to the event just before now.
    assert shown[:CALENDAR_MAX_PAST] == recent_past[-CALENDAR_MAX_PAST:]


@time_machine.travel(NOW, tick=False)
def test_a_section_calendar_holds_every_upcoming_event_of_its_section(client, two_years_of_releases):
    events, sections = two_years_of_releases
    upcoming = [event.title for event in events if event.ends_at >= NOW and event.section_id == sections[1].pk]

    _content, calendar = fetch(client, "/en/sections/economy/calendar.ics")

    shown = titles(calendar)
    assert shown[-len(upcoming) :] == upcoming
    assert len(shown) <= len(upcoming) + CALENDAR_MAX_PAST


@time_machine.travel(NOW, tick=False)
def test_the_calendar_has_a_zone_block_per_zone_used_and_local_times(client, two_years_of_releases):
    events, _sections = two_years_of_releases
    in_moscow = next(event for event in events if event.time_zone == "Europe/Moscow" and event.starts_at > NOW)

    content, calendar = fetch(client, "/en/calendar.ics")

    assert sorted(str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")) == ["Asia/Vladivostok", "Europe/Moscow"]
    local = in_moscow.starts_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert f"DTSTART;TZID=Europe/Moscow:{local:%Y%m%dT%H%M%S}".encode() in content
    by_title = {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}
    assert by_title[in_moscow.title].decoded("DTSTART") == in_moscow.starts_at
    assert by_title[in_moscow.title]["DTSTART"].params["TZID"] == "Europe/Moscow"


@time_machine.travel(NOW, tick=False)
def test_subscriptions_carry_a_refresh_interval_and_events_their_press_contacts(client):
    section = SectionFactory(slug="politics")
    contact = PressContactFactory(
        name="Olga Smirnova",
        name_ru="Ольга Смирнова",
        slug="olga-smirnova",
        position="Press Secretary",
        email="press@example.org",
    )
    PhoneNumberFactory(person=contact, number="+74951234500", label="fax")
    PhoneNumberFactory(person=contact, number="+74951234567", label="tel")
    link = EventPressContactFactory(
        person=contact, event__title="Briefing", event__section=section, event__starts_at=NOW + timedelta(days=1)
    )

    for path in ("/en/calendar.ics", "/en/sections/politics/calendar.ics"):
        content, calendar = fetch(client, path)

        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in content
        assert b"X-PUBLISHED-TTL:PT1H\r\n" in content
        [vevent] = calendar.walk("VEVENT")
        contact_line = vevent["CONTACT"]
        assert str(contact_line) == "Olga Smirnova, Press Secretary, +7 495 123-45-67, press@example.org"
        assert contact_line.params["ALTREP"] == "http://testserver/en/contacts/olga-smirnova.vcf"

    download, calendar = fetch(client, f"/en/events/{link.event.slug}/event.ics")
    assert "CONTACT" in calendar.walk("VEVENT")[0]
    assert b"REFRESH-INTERVAL" not in download  # a one-off download is not a subscription


@time_machine.travel(NOW, tick=False)
def test_a_russian_calendar_names_the_contact_in_russian_and_links_the_russian_card(client):
    contact = PressContactFactory(
        name="Olga Smirnova",
        name_ru="Ольга Смирнова",
        slug="olga-smirnova",
        position="Press Secretary",
        position_ru="Пресс-секретарь",
        email="press@example.org",
    )
    EventPressContactFactory(person=contact, event__language="ru", event__starts_at=NOW + timedelta(days=1))

    _content, calendar = fetch(client, "/ru/calendar.ics")

    contact_line = calendar.walk("VEVENT")[0]["CONTACT"]
    assert str(contact_line) == "Ольга Смирнова, Пресс-секретарь, press@example.org"
    assert contact_line.params["ALTREP"] == "http://testserver/ru/contacts/olga-smirnova.vcf"
