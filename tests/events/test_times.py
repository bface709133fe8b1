"""Times people can trust: every public surface shows an event's times in its venue's time zone, labelled, and
"Latest releases" on the home page shows the dates it is ordered by."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.utils import translation

from events.selectors.times import local_times
from tests.factories import EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def office_on_utc(settings):
    """The server and the office run on UTC; the events take place elsewhere."""
    settings.TIME_ZONE = "UTC"


def moscow_talks(**extra):
    return EventFactory(
        title="Talks in Moscow",
        slug="talks-in-moscow",
        time_zone="Europe/Moscow",
        starts_at=datetime(2026, 6, 1, 11, 0, tzinfo=MOSCOW),
        ends_at=datetime(2026, 6, 1, 13, 0, tzinfo=MOSCOW),
        **extra,
    )


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@time_machine.travel(NOW, tick=False)
def test_release_page_shows_moscow_hours_labelled_with_the_zone_in_both_languages(client):
    # A place makes the release an Event in the structured data (a release without one is only an article).
    moscow_talks(location="Moscow, the Kremlin")
    russian = EventFactory(
        title="Переговоры в Москве",
        slug="talks-in-moscow",
        language="ru",
        time_zone="Europe/Moscow",
        starts_at=datetime(2026, 6, 1, 11, 0, tzinfo=MOSCOW),
        ends_at=datetime(2026, 6, 1, 13, 0, tzinfo=MOSCOW),
    )

    english = text_of(client.get("/en/events/talks-in-moscow/").content.decode())
    russian_page = text_of(client.get(russian.get_absolute_url()).content.decode())

    assert "Date 1 June 2026" in english
    assert "Time 11:00–13:00 Moscow time (UTC+3)" in english
    assert "08:00" not in english  # not the server's UTC, not even in the structured data
    assert '"startDate": "2026-06-01T11:00:00+03:00"' in english
    assert "11:00–13:00 по московскому времени (UTC+3)" in russian_page
    assert "1 июня 2026 г." in russian_page


@time_machine.travel(NOW, tick=False)
def test_an_early_morning_event_far_east_is_on_its_own_day_in_lists_calendar_and_page(client):
    # 08:30 on 2 June in Vladivostok is still 1 June in UTC, where the server runs.
    EventFactory(
        title="Port opening",
        slug="port-opening",
        time_zone="Asia/Vladivostok",
        starts_at=datetime(2026, 6, 2, 8, 30, tzinfo=ZoneInfo("Asia/Vladivostok")),
    )

    page = text_of(client.get("/en/events/port-opening/").content.decode())
    listing = text_of(client.get("/en/events/").content.decode())
    month = client.get("/en/calendar/2026/6/").content.decode()

    assert "Date 2 June 2026" in page and "Time 08:30 Vladivostok time (UTC+10)" in page
    assert "2 June 2026 08:30 Vladivostok time (UTC+10)" in listing
    assert 'href="/en/calendar/2026/6/2/"' in month and 'href="/en/calendar/2026/6/1/"' not in month
    assert "Port opening" in client.get("/en/calendar/2026/6/2/").content.decode()
    assert "Port opening" not in client.get("/en/calendar/2026/6/1/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_all_day_events_show_their_dates_only():
    event = EventFactory(
        all_day=True,
        time_zone="Europe/Moscow",
        starts_at=datetime(2026, 6, 1, 0, 0, tzinfo=MOSCOW),
        ends_at=datetime(2026, 6, 3, 0, 0, tzinfo=MOSCOW),
    )
    one_day = EventFactory(all_day=True, time_zone="Europe/Moscow", starts_at=datetime(2026, 6, 5, tzinfo=MOSCOW))

    with translation.override("en"):
        assert local_times(event).text == "1–3 June 2026"
        assert local_times(event).times_text == ""
        assert local_times(one_day).text == "5 June 2026"
        assert local_times(one_day).label == ""


@pytest.mark.parametrize(
    ("zone", "local_start", "expected"),
    [
        ("Europe/Moscow", datetime(2026, 1, 15, 11, 0), "11:00–13:00 Moscow time (UTC+3)"),
        ("Europe/Berlin", datetime(2026, 1, 15, 11, 0), "11:00–13:00 Berlin time (UTC+1)"),
        ("Europe/Berlin", datetime(2026, 7, 15, 11, 0), "11:00–13:00 Berlin time (UTC+2)"),
        ("Asia/Almaty", datetime(2026, 7, 15, 11, 0), "11:00–13:00 UTC+5"),
        ("Asia/Kolkata", datetime(2026, 7, 15, 11, 0), "11:00–13:00 UTC+5:30"),
        ("America/Sao_Paulo", datetime(2026, 7, 15, 11, 0), "11:00–13:00 UTC\u22123"),
        ("UTC", datetime(2026, 7, 15, 11, 0), "11:00–13:00 UTC"),
    ],
)
def test_every_zone_gets_a_label_a_reader_can_place(zone, local_start, expected):
    start = local_start.replace(tzinfo=ZoneInfo(zone))
    event = EventFactory.build(time_zone=zone, starts_at=start, ends_at=start + timedelta(hours=2))

    with translation.override("en"):
        assert local_times(event).times_text == expected


@time_machine.travel(NOW, tick=False)
def test_feed_items_say_the_local_time_with_its_label(client):
    moscow_talks()

    feed = client.get("/en/feeds/rss/").content.decode()

    assert "1 June 2026, 11:00–13:00 Moscow time (UTC+3)" in feed


@time_machine.travel(NOW, tick=False)
def test_ics_writes_moscow_events_at_eleven_moscow_time_with_the_zone_block(client):
    moscow_talks()

    content = client.get("/en/calendar.ics").content
    calendar = icalendar.Calendar.from_ical(content)

    [vevent] = calendar.walk("VEVENT")
    assert b"DTSTART;TZID=Europe/Moscow:20260601T110000" in content
    assert b"DTEND;TZID=Europe/Moscow:20260601T130000" in content
    assert vevent.decoded("DTSTART") == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    # The single event's download is named by its local day.
    download = client.get("/en/events/talks-in-moscow/event.ics")
    assert download["Content-Disposition"] == 'attachment; filename="2026-06-01-talks-in-moscow.ics"'


def latest_rows(html: str) -> list[tuple[str, str]]:
    """(date shown, title) of each row of "Latest releases", in page order."""
    latest = html.split('id="latest-heading"', 1)[1].split("</section>", 1)[0]
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>.*?class="event-title"><a [^>]*>([^<]+)</a>', latest)
    return [(when, text, title) for when, text, title in shown]


@time_machine.travel(NOW, tick=False)
def test_latest_releases_are_dated_by_publication_and_the_dates_run_in_list_order(client):
    section = SectionFactory()
    # Published in this order; their events happen in a different one (one is announced months ahead).
    for days_ago, event_in_days, title in [
        (1, 90, "Summit announced"),
        (2, -3, "Statement on talks"),
        (5, -40, "Late report"),
        (8, -9, "Visit held"),
    ]:
        EventFactory(
            title=title,
            section=section,
            starts_at=NOW + timedelta(days=event_in_days),
            publish_at=NOW - timedelta(days=days_ago),
        )

    rows = latest_rows(client.get("/en/").content.decode())

    assert [title for _when, _text, title in rows] == [
        "Summit announced",
        "Statement on talks",
        "Late report",
        "Visit held",
    ]
    assert [text for _when, text, _title in rows] == [
        "Published 11 May 2026",
        "Published 10 May 2026",
        "Published 7 May 2026",
        "Published 4 May 2026",
    ]
    stamps = [datetime.fromisoformat(when) for when, _text, _title in rows]
    assert stamps == sorted(stamps, reverse=True)


@time_machine.travel(NOW, tick=False)
def test_latest_releases_in_russian_say_when_they_were_published(client):
    EventFactory(language="ru", publish_at=NOW - timedelta(days=1))

    rows = latest_rows(client.get("/ru/").content.decode())

    assert [text for _when, text, _title in rows] == ["Опубликовано 11 мая 2026 г."]
