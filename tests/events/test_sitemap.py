import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
BASE = "http://testserver"


def sitemap(client):
    """Each <loc> of /sitemap.xml mapped to its hreflang alternates."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        url.find("s:loc", NS).text: {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        for url in root.findall("s:url", NS)
    }


def event_locations(urls):
    """The releases' addresses (the All events page, also under /events/, is left out)."""
    return sorted(loc.removeprefix(BASE) for loc in urls if "/events/" in loc and not loc.endswith("/events/"))


@time_machine.travel(NOW, tick=False)
def test_sitemap_links_each_release_version_to_its_translation(client):
    english = EventFactory(slug="summit-opens", language="en")
    EventFactory(slug="sammit-otkrylsya", language="ru", translation_key=english.translation_key)
    EventFactory(slug="only-in-russian", language="ru")

    urls = sitemap(client)

    assert event_locations(urls) == [
        "/en/events/summit-opens/",
        "/ru/events/only-in-russian/",
        "/ru/events/sammit-otkrylsya/",
    ]
    expected = {
        "en": f"{BASE}/en/events/summit-opens/",
        "ru": f"{BASE}/ru/events/sammit-otkrylsya/",
        "x-default": f"{BASE}/en/events/summit-opens/",
    }
    assert urls[f"{BASE}/en/events/summit-opens/"] == expected
    assert urls[f"{BASE}/ru/events/sammit-otkrylsya/"] == expected
    assert urls[f"{BASE}/ru/events/only-in-russian/"] == {"ru": f"{BASE}/ru/events/only-in-russian/"}


def test_sitemap_hides_drafts_reviews_withdrawn_and_scheduled_until_due(client):
    with time_machine.travel(NOW, tick=False):
        EventFactory(slug="public")
        EventFactory(slug="draft", draft=True)
        EventFactory(slug="in-review", in_review=True)
        EventFactory(slug="withdrawn", withdrawn=True, publish_at=NOW - timedelta(days=1))
        EventFactory(slug="scheduled", publish_at=NOW + timedelta(hours=2))

        assert event_locations(sitemap(client)) == ["/en/events/public/"]

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert event_locations(sitemap(client)) == ["/en/events/public/", "/en/events/scheduled/"]


@time_machine.travel(NOW, tick=False)
def test_sitemap_lists_active_sections_and_public_people_and_organisations_in_both_languages(client):
    SectionFactory(slug="security")
    SectionFactory(slug="retired", is_active=False)
    osce = OrganizationFactory(slug="osce")
    EventParticipantFactory(person=PersonFactory(slug="anna-petrova"), event=EventFactory())
    EventFactory().organizations.add(osce)
    PressContactFactory(slug="press-officer")

    urls = sitemap(client)

    for path in ["sections/security/", "people/anna-petrova/", "people/press-officer/", "organisations/osce/"]:
        alternates = {"en": f"{BASE}/en/{path}", "ru": f"{BASE}/ru/{path}", "x-default": f"{BASE}/{path}"}
        assert urls[f"{BASE}/en/{path}"] == alternates
        assert urls[f"{BASE}/ru/{path}"] == alternates
    assert not [loc for loc in urls if "retired" in loc]


@time_machine.travel(NOW, tick=False)
def test_sitemap_leaves_out_people_and_organisations_named_only_on_unpublished_releases(client):
    draft = EventFactory(draft=True)
    EventParticipantFactory(person=PersonFactory(slug="secret-visitor"), event=draft)
    draft.organizations.add(OrganizationFactory(slug="secret-partner"))
    scheduled = EventFactory(publish_at=NOW + timedelta(days=1))
    EventParticipantFactory(person=PersonFactory(slug="future-guest"), event=scheduled)

    locations = sitemap(client)

    assert not [loc for loc in locations if "secret" in loc or "future-guest" in loc]


@time_machine.travel(NOW, tick=False)
def test_sitemap_gives_the_last_public_change_as_lastmod(client):
    event = EventFactory(slug="edited", publish_at=NOW - timedelta(days=3))
    event.public_updated_at = NOW - timedelta(days=1)
    event.save()

    root = ET.fromstring(client.get("/sitemap.xml").content)

    [url] = [url for url in root.findall("s:url", NS) if url.find("s:loc", NS).text.endswith("/edited/")]
    assert url.find("s:lastmod", NS).text == "2026-05-11"


@time_machine.travel(NOW, tick=False)
def test_sitemap_query_count_does_not_grow_with_content(client, django_assert_num_queries):
    for number in range(20):
        event = EventFactory(section=SectionFactory())
        EventParticipantFactory(event=event)
        event.organizations.add(OrganizationFactory(slug=f"org-{number}"))

    with django_assert_num_queries(4):
        urls = sitemap(client)

    assert len(event_locations(urls)) == 20
    assert len([loc for loc in urls if "/people/" in loc and not loc.endswith("/people/")]) == 40
    assert len([loc for loc in urls if "/organisations/" in loc and not loc.endswith("/organisations/")]) == 40


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert lines[0] == "User-agent: *"
