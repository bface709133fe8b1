"""Issue 13, finding 9: input that used to end in a 500 now gets a clear answer."""

import icalendar
import pytest
from django.test import Client

from tests.factories import EventFactory, SectionFactory

HUGE = "99999999999999999999"  # twenty digits: more than a C long holds


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/en/calendar/2026/{HUGE}/",
        f"/en/calendar/{HUGE}/1/",
        f"/en/calendar/2026/1/{HUGE}/",
        f"/ru/calendar/2026/{HUGE}/1/",
        f"/en/events/summit/photos/{HUGE}/download/",
        f"/en/events/summit/documents/{HUGE}/download/",
    ],
)
def test_a_number_too_large_for_the_machine_in_a_public_address_is_not_found(path):
    EventFactory(slug="summit")
    client = Client(raise_request_exception=False)

    response = client.get(path)

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_title_typed_with_line_breaks_still_gives_a_valid_calendar_file(client):
    section = SectionFactory(slug="politics", name="Politics\r\nand security")
    event = EventFactory(slug="summit", section=section, title="Summit of the heads\r\nof state\rin Vienna\n")

    response = client.get(f"{event.get_absolute_url()}event.ics")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["NAME"]) == "Summit of the heads of state in Vienna"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]).split() == "Summit of the heads of state in Vienna".split()
    section_feed = client.get("/en/sections/politics/calendar.ics")
    assert section_feed.status_code == 200
    section_calendar = icalendar.Calendar.from_ical(section_feed.content)
    assert "\n" not in str(section_calendar["NAME"])
