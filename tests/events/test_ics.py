from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests.factories import EventFactory, EventPressContactFactory, PhoneNumberFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"events:{name}", kwargs=kwargs or None)


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response, icalendar.Calendar.from_ical(response.content)


def summaries(calendar):
    return [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")]


@time_machine.travel(NOW, tick=False)
def test_calendar_round_trips_uid_summary_and_zoned_times(client, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    event = EventFactory(
        title="Council session",
        slug="council-session",
        starts_at=datetime(2026, 6, 1, 10, 0, tzinfo=MOSCOW),
        ends_at=datetime(2026, 6, 1, 13, 30, tzinfo=MOSCOW),
        location="Moscow, House of Unions",
        lead="Ministers meet in Moscow.",
        section=SectionFactory(name="Politics"),
    )

    response, calendar = fetch(client, url("ics"))

    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.translation_key}-en@127.0.0.1"
    assert str(vevent["SUMMARY"]) == "Council session"
    assert str(vevent["DESCRIPTION"]) == "Ministers meet in Moscow."
    assert str(vevent["LOCATION"]) == "Moscow, House of Unions"
    assert str(vevent["URL"]) == "http://testserver/en/events/council-session/"
    assert vevent.categories == ["Politics"]
    assert vevent.decoded("DTSTART") == datetime(2026, 6, 1, 10, 0, tzinfo=MOSCOW)
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=3)
    assert vevent.decoded("DTEND") == datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert vevent.decoded("DTSTAMP") == NOW - timedelta(hours=1)
    assert vevent["SEQUENCE"] == 0
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    assert b"DTSTAMP:20260512T090000Z" in response.content


@time_machine.travel(NOW, tick=False)
def test_times_are_utc_when_the_site_runs_on_utc(client, settings):
    settings.TIME_ZONE = "UTC"
    EventFactory(starts_at=datetime(2026, 6, 1, 7, 0, tzinfo=UTC))

    response, calendar = fetch(client, url("ics"))

    assert b"DTSTART:20260601T070000Z" in response.content
    assert calendar.walk("VTIMEZONE") == []


@time_machine.travel(NOW, tick=False)
def test_all_day_events_are_dates_with_an_exclusive_end(client, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    EventFactory(
        title="Conference",
        all_day=True,
        starts_at=datetime(2026, 6, 1, 0, 0, tzinfo=MOSCOW),
        ends_at=datetime(2026, 6, 3, 0, 0, tzinfo=MOSCOW),
    )
    EventFactory(title="Open day", all_day=True, starts_at=datetime(2026, 6, 10, 9, 0, tzinfo=MOSCOW))

    response, calendar = fetch(client, url("ics"))

    conference, open_day = calendar.walk("VEVENT")
    assert conference.decoded("DTSTART") == date(2026, 6, 1)
    assert conference.decoded("DTEND") == date(2026, 6, 4)
    assert open_day.decoded("DTSTART") == date(2026, 6, 10)
    assert open_day.decoded("DTEND") == date(2026, 6, 11)
    assert b"DTSTART;VALUE=DATE:20260601" in response.content


@time_machine.travel(NOW, tick=False)
def test_every_vevent_has_the_properties_strict_clients_require(client):
    EventFactory(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2))
    EventFactory(starts_at=NOW + timedelta(days=2))
    EventFactory(all_day=True, starts_at=NOW + timedelta(days=3))

    _response, calendar = fetch(client, url("ics"))

    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 3
    for vevent in vevents:
        assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL"} <= set(vevent)
        if "DTEND" in vevent:
            assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")
    assert len({str(vevent["UID"]) for vevent in vevents}) == 3


def test_calendars_hide_drafts_reviews_withdrawn_and_scheduled_until_due(client):
    section = SectionFactory(slug="security")
    with time_machine.travel(NOW, tick=False):
        for title, traits in [
            ("Public", {}),
            ("Draft", {"draft": True}),
            ("In review", {"in_review": True}),
            ("Withdrawn", {"withdrawn": True, "publish_at": NOW - timedelta(days=1)}),
            ("Scheduled", {"publish_at": NOW + timedelta(hours=2)}),
        ]:
            EventFactory(title=title, slug=title.lower().replace(" ", "-"), section=section, **traits)

        for path in [url("ics"), url("section-ics", slug="security")]:
            assert summaries(fetch(client, path)[1]) == ["Public"]
        for slug in ["draft", "in-review", "withdrawn", "scheduled"]:
            assert client.get(url("event-ics", slug=slug)).status_code == 404

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        for path in [url("ics"), url("section-ics", slug="security")]:
            assert sorted(summaries(fetch(client, path)[1])) == ["Public", "Scheduled"]
        assert client.get(url("event-ics", slug="scheduled")).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_calendar_skips_events_that_ended_over_ninety_days_ago(client):
    EventFactory(title="Long ago", starts_at=NOW - timedelta(days=100))
    EventFactory(title="Long but recent", starts_at=NOW - timedelta(days=100), ends_at=NOW - timedelta(days=80))
    EventFactory(title="Last month", starts_at=NOW - timedelta(days=30))
    EventFactory(title="Next month", starts_at=NOW + timedelta(days=30))

    _response, calendar = fetch(client, url("ics"))

    assert summaries(calendar) == ["Long but recent", "Last month", "Next month"]


@time_machine.travel(NOW, tick=False)
def test_calendar_lists_only_releases_in_the_language_of_its_url(client):
    english = EventFactory(title="Summit", language="en")
    EventFactory(title="Саммит", language="ru", slug="sammit", translation_key=english.translation_key)

    _response, russian = fetch(client, url("ics", "ru"))

    [vevent] = russian.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Саммит"
    assert str(vevent["UID"]) == f"event-{english.translation_key}-ru@127.0.0.1"
    assert str(vevent["URL"]) == "http://testserver/ru/events/sammit/"


@time_machine.travel(NOW, tick=False)
def test_section_calendar_includes_subsections_and_404s_for_unknown_sections(client):
    parent = SectionFactory(slug="economy")
    EventFactory(title="Forum", section=parent, starts_at=NOW + timedelta(days=1))
    EventFactory(title="Trade", section=SectionFactory(parent=parent), starts_at=NOW + timedelta(days=2))
    EventFactory(title="Other")
    SectionFactory(slug="closed", is_active=False)

    _response, calendar = fetch(client, url("section-ics", slug="economy"))

    assert summaries(calendar) == ["Forum", "Trade"]
    assert client.get(url("section-ics", slug="nothing-here")).status_code == 404
    assert client.get(url("section-ics", slug="closed")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_single_event_download_has_a_dated_file_name(client):
    EventFactory(title="Press conference", slug="press-conference", starts_at=datetime(2026, 6, 1, 8, 0, tzinfo=UTC))

    response, calendar = fetch(client, url("event-ics", slug="press-conference"))

    assert response["Content-Disposition"] == 'attachment; filename="2026-06-01-press-conference.ics"'
    assert summaries(calendar) == ["Press conference"]
    assert client.get(url("event-ics", slug="no-such-event")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_single_event_download_prefers_the_version_in_the_current_language(client):
    EventFactory(title="English summit", slug="summit", language="en")
    EventFactory(title="Русский саммит", slug="summit", language="ru")

    assert summaries(fetch(client, url("event-ics", "ru", slug="summit"))[1]) == ["Русский саммит"]
    assert summaries(fetch(client, url("event-ics", "en", slug="summit"))[1]) == ["English summit"]


@time_machine.travel(NOW, tick=False)
def test_calendar_query_count_does_not_grow_with_events(client, django_assert_num_queries):
    for day in range(30):
        event = EventFactory(starts_at=NOW + timedelta(days=day), section=SectionFactory())
        PhoneNumberFactory(person=EventPressContactFactory(event=event).person)

    # The recent past, what is to come, their press contacts, the contacts' phones.
    with django_assert_num_queries(4):
        _response, calendar = fetch(client, url("ics"))

    assert len(calendar.walk("VEVENT")) == 30
