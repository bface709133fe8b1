from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_month_page_lists_events_on_their_days_and_marks_today(client):
    EventFactory(title="Council session", starts_at=datetime(2026, 5, 20, 9, tzinfo=UTC))

    response = client.get("/en/calendar/2026/5/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "May 2026" in html
    assert "Council session" in html
    assert 'href="/en/calendar/2026/5/20/"' in html
    assert 'aria-current="date"' in html  # 12 May is today
    assert 'href="/en/calendar/2026/4/"' in html and 'href="/en/calendar/2026/6/"' in html


@time_machine.travel(NOW, tick=False)
def test_calendar_without_a_month_shows_the_current_month(client):
    EventFactory(title="Today's briefing", starts_at=NOW)

    response = client.get("/en/calendar/")

    assert response.status_code == 200
    assert response.context["month"].month == 5
    assert "Today&#x27;s briefing" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_multi_day_event_links_from_each_of_its_days(client):
    EventFactory(
        title="Three-day summit",
        starts_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
        ends_at=datetime(2026, 5, 6, 18, tzinfo=UTC),
    )

    html = client.get("/en/calendar/2026/5/").content.decode()

    assert html.count("Three-day summit") == 3
    for day in (4, 5, 6):
        assert f'href="/en/calendar/2026/5/{day}/"' in html
        assert "Three-day summit" in client.get(f"/en/calendar/2026/5/{day}/").content.decode()
    assert "Three-day summit" not in client.get("/en/calendar/2026/5/7/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_day_page_lists_that_days_events_only(client):
    EventFactory(title="Morning briefing", starts_at=datetime(2026, 5, 12, 8, tzinfo=UTC))
    EventFactory(title="Next day visit", starts_at=datetime(2026, 5, 13, 8, tzinfo=UTC))

    response = client.get("/en/calendar/2026/5/12/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>12 May 2026</h1>" in html
    assert "Morning briefing" in html
    assert "Next day visit" not in html
    assert 'href="/en/calendar/2026/5/11/"' in html and 'href="/en/calendar/2026/5/13/"' in html


@time_machine.travel(NOW, tick=False)
def test_upcoming_lists_future_and_ongoing_events_soonest_first(client):
    EventFactory(title="Later", starts_at=NOW + timedelta(days=10))
    EventFactory(title="Sooner", starts_at=NOW + timedelta(days=2))
    EventFactory(title="Ongoing", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))
    EventFactory(title="Over", starts_at=NOW - timedelta(days=3))

    response = client.get("/en/calendar/upcoming/")

    assert [event.title for event in response.context["events"]] == ["Ongoing", "Sooner", "Later"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/calendar/1989/12/",
        "/en/calendar/2101/1/",
        "/en/calendar/2026/13/",
        "/en/calendar/2026/0/",
        "/en/calendar/2026/2/30/",
        "/en/calendar/99999999999999999999/1/",
        "/en/calendar/2026/may/",
        "/en/calendar/2026/5/12/extra/",
        "/en/calendar/-1/5/",
    ],
)
def test_out_of_range_or_malformed_calendar_dates_are_404(client, path):
    assert client.get(path).status_code == 404
