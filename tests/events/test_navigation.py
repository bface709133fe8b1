import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from events.navigation import safe_back_path, with_back
from events.templatetags.press import event_url
from tests.factories import EventFactory, SectionFactory

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)


def go_back_href(html: str) -> str:
    return unescape(re.search(r'<a class="back-link" href="([^"]*)"', html).group(1))


def event_links(html: str, slug_prefix: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'href="(/en/events/{slug_prefix}[^"]*)"', html)]


@pytest.mark.parametrize(
    "value",
    [
        "/en/events/?page=3&section=security",
        "/ru/calendar/2026/5/12/",
        "/en/",
    ],
)
def test_same_site_relative_paths_are_accepted(value):
    assert safe_back_path(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/en/events/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "http:/evil.example",
        "/\t/evil.example",
        "/en/events/\n",
        "en/events/",
        "",
        None,
        "/" + "a" * 3000,
    ],
)
def test_anything_but_a_same_site_path_is_refused(value):
    assert safe_back_path(value) is None


def test_with_back_drops_an_unsafe_return_address():
    assert with_back("/en/events/x/", "https://evil.example/") == "/en/events/x/"
    assert with_back("/en/events/x/", "/en/events/?page=2") == "/en/events/x/?back=%2Fen%2Fevents%2F%3Fpage%3D2"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_go_back_from_page_3_of_a_filtered_list_returns_to_that_page_with_its_filters(client):
    section = SectionFactory(slug="security")
    for number in range(45):
        EventFactory(section=section, slug=f"security-{number:02}", starts_at=NOW - timedelta(days=number))
    EventFactory(slug="elsewhere")  # another section: filtered out
    # Written as the page cache hands it to the page: its parameters sorted.
    list_path = "/en/events/?kind=press_release&page=3&section=security"

    list_html = client.get(list_path).content.decode()
    links = event_links(list_html, "security-")
    assert len(links) == 5  # 45 events, 20 a page
    query = parse_qs(urlsplit(links[0]).query)
    assert query["back"] == [list_path]

    event_html = client.get(links[0]).content.decode()
    assert go_back_href(event_html) == list_path
    back = client.get(go_back_href(event_html))
    assert back.context["page_obj"].number == 3
    assert back.context["filter"].form.cleaned_data["section"] == section


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_go_back_from_a_calendar_day_returns_to_that_day(client):
    EventFactory(slug="briefing", starts_at=datetime(2026, 5, 12, 8, tzinfo=UTC))

    day_html = client.get("/en/calendar/2026/5/12/").content.decode()
    link = event_links(day_html, "briefing")[0]

    assert go_back_href(client.get(link).content.decode()) == "/en/calendar/2026/5/12/"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_go_back_from_the_calendar_month_returns_to_that_month(client):
    EventFactory(slug="briefing", starts_at=datetime(2026, 3, 12, 8, tzinfo=UTC))

    month_html = client.get("/en/calendar/2026/3/").content.decode()
    link = event_links(month_html, "briefing")[0]

    assert go_back_href(client.get(link).content.decode()) == "/en/calendar/2026/3/"


@pytest.mark.django_db
@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_go_back_with_a_foreign_address_falls_back_to_all_events(client, back):
    event = EventFactory(slug="briefing")

    html = client.get(f"/en/events/{event.slug}/", {"back": back}).content.decode()

    assert go_back_href(html) == "/en/events/"
    assert "evil" not in html


@pytest.mark.django_db
def test_event_page_also_links_back_to_its_section_and_to_all_news(client):
    event = EventFactory(section=SectionFactory(slug="economy"))

    html = client.get(f"/en/events/{event.slug}/").content.decode()

    assert '<a href="/en/sections/economy/">Back to the section</a>' in html
    assert '<a href="/en/events/">Back to all news</a>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_event_links_match_the_routes_own_addresses(language):
    event = EventFactory(language=language, slug=f"summit-{language}-2026")
    with translation.override(language):
        expected = reverse("events:detail", kwargs={"slug": event.slug})
    with translation.override("en" if language == "ru" else "ru"):
        assert event_url(event) == expected
