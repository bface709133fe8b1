"""Found and shared properly: Open Graph on every public page type, self-canonical pages, a sitemap with every
page type, a robots.txt that keeps the admin's address to itself, and the page checks' own functions."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from scripts.page_metadata import check_json_ld, check_open_graph, read_head
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
BASE = "http://testserver"
SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def site():
    with time_machine.travel(NOW, tick=False):
        section = SectionFactory(name="Security", slug="security")
        event = EventFactory(slug="talks", section=section, location="Minsk", publish_at=NOW - timedelta(hours=1))
        PhotoFactory(event=event)
        EventFactory(
            slug="peregovory", language="ru", translation_key=event.translation_key, section=section, location="Минск"
        )
        EventParticipantFactory(event=event, person=PersonFactory(slug="anna"))
        event.organizations.add(OrganizationFactory(slug="osce"))
        PressContactFactory(slug="press-officer")


PAGES = [
    ("home", {}, "website"),
    ("list", {}, "website"),
    ("calendar", {}, "website"),
    ("calendar-day", {"year": 2026, "month": 5, "day": 12}, "website"),
    ("upcoming", {}, "website"),
    ("sections", {}, "website"),
    ("section", {"slug": "security"}, "website"),
    ("people", {}, "website"),
    ("person", {"slug": "anna"}, "profile"),
    ("organizations", {}, "website"),
    ("organization", {"slug": "osce"}, "website"),
    ("contacts", {}, "website"),
    ("accessibility", {}, "website"),
    ("detail", {"slug": "talks"}, "article"),
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("name", "kwargs", "og_type"), PAGES)
@time_machine.travel(NOW, tick=False)
def test_every_public_page_type_has_open_graph_twitter_and_json_ld(client, site, name, kwargs, og_type, language):
    if name == "detail" and language == "ru":
        kwargs = {"slug": "peregovory"}
    with translation.override(language):
        path = reverse(f"events:{name}", kwargs=kwargs or None)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()

    head = read_head(html)
    assert head.canonical == BASE + path
    assert head.meta["og:url"] == [BASE + path]
    assert head.meta["og:type"] == [og_type]
    assert head.meta["og:title"][0]
    assert head.meta["og:description"][0]
    assert head.meta["og:locale"] == [{"en": "en_GB", "ru": "ru_RU"}[language]]
    assert head.meta["twitter:card"][0] in ("summary", "summary_large_image")
    assert check_open_graph(name, html) == []
    assert check_json_ld(name, html)[0] == []


@time_machine.travel(NOW, tick=False)
def test_fixed_pages_share_their_own_title(client, site):
    titles = {}
    for name in ("calendar", "list", "contacts"):
        titles[name] = read_head(client.get(reverse(f"events:{name}")).content.decode()).meta["og:title"][0]
    with translation.override("ru"):
        russian = read_head(client.get(reverse("events:list")).content.decode()).meta["og:title"][0]

    assert titles == {"calendar": "Events calendar", "list": "All events", "contacts": "Press contacts"}
    assert russian == "Все события"


@time_machine.travel(NOW, tick=False)
def test_page_two_of_a_list_is_its_own_canonical_page(client):
    for minutes in range(25):
        EventFactory(publish_at=NOW - timedelta(minutes=minutes + 1))

    first = read_head(client.get("/en/events/").content.decode())
    second = read_head(client.get("/en/events/?page=2").content.decode())
    tracked = read_head(client.get("/en/events/?page=2&utm_source=x").content.decode())

    assert first.canonical == f"{BASE}/en/events/"
    assert second.canonical == f"{BASE}/en/events/?page=2"
    assert second.meta["og:url"] == [f"{BASE}/en/events/?page=2"]
    assert tracked.canonical == f"{BASE}/en/events/?page=2"


@time_machine.travel(NOW, tick=False)
def test_sitemap_lists_every_fixed_page_type_in_both_languages(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)

    urls = {
        url.find("s:loc", SITEMAP).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", SITEMAP)
        }
        for url in root.findall("s:url", SITEMAP)
    }
    for path in [
        "",
        "calendar/",
        "calendar/upcoming/",
        "events/",
        "sections/",
        "people/",
        "organisations/",
        "contacts/",
    ]:
        assert f"{BASE}/en/{path}" in urls, path
        assert urls[f"{BASE}/ru/{path}"]["en"] == f"{BASE}/en/{path}"
        assert urls[f"{BASE}/en/{path}"]["ru"] == f"{BASE}/ru/{path}"


def test_robots_txt_does_not_reveal_a_custom_admin_path(client, settings):
    settings.CSO_ADMIN_PATH = "office-7f3a9c/"

    text = client.get("/robots.txt").content.decode()

    assert "office-7f3a9c" not in text
    assert "admin" not in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text.splitlines()


# The page checks' own functions (scripts/page_metadata.py), on sample pages.

BAD_PAGE = """<!DOCTYPE html><html><head><title>x</title>
<link rel="canonical" href="https://example.org/en/events/a/">
<meta property="og:title" content="A">
<meta property="og:url" content="https://example.org/en/events/b/">
<meta property="og:image" content="https://example.org/files/1/social-jpeg/a.jpg">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "A",
 "about": {"@type": "Event", "name": "A", "location": {"@type": "Place", "name": "Minsk"}}}</script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BreadcrumbList",
 "itemListElement": [{"@type": "ListItem", "position": 1, "name": "Home"},
                     {"@type": "ListItem", "position": 2, "name": "A"}]}</script>
<script type="application/ld+json">{not json</script>
</head><body><img src="/files/1/thumb-jpeg/a.jpg" alt=""></body></html>"""


def test_the_open_graph_check_names_each_missing_tag():
    findings = check_open_graph("sample", BAD_PAGE)

    assert findings == [
        "sample: no og:type",
        "sample: og:url https://example.org/en/events/b/ is not the canonical https://example.org/en/events/a/",
        "sample: og:image without og:image:alt",
        "sample: og:image without og:image:width",
        "sample: og:image without og:image:height",
        "sample: no twitter:card",
    ]


def test_a_release_showing_its_photos_without_og_image_is_a_finding_and_a_list_of_releases_is_not():
    page = BAD_PAGE.replace('<meta property="og:image" content="https://example.org/files/1/social-jpeg/a.jpg">', "")
    release = page.replace("<head>", '<head><meta property="og:type" content="article">', 1)
    listing = page.replace("<head>", '<head><meta property="og:type" content="website">', 1)

    assert "sample: shows release photos but has no og:image" in check_open_graph("sample", release)
    assert "sample: shows release photos but has no og:image" not in check_open_graph("sample", listing)


def test_the_json_ld_check_finds_missing_required_properties_and_notes_recommended_ones():
    findings, notes = check_json_ld("sample", BAD_PAGE)

    assert findings == [
        "sample: JSON-LD is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        "sample: NewsArticle.about/Event lacks required startDate",
        "sample: NewsArticle.about/Event.location/Place lacks required address",
        # Only the last crumb (the page itself) may leave out its address.
        "sample: BreadcrumbList.itemListElement/ListItem lacks required item",
    ]
    assert "sample: NewsArticle lacks recommended datePublished" in notes
    assert "sample: NewsArticle.about/Event lacks recommended eventAttendanceMode" in notes
    assert "sample: NewsArticle.about/Event lacks recommended performer" in notes


def test_a_page_without_json_ld_is_a_finding():
    assert check_json_ld("bare", "<html><head></head></html>") == (["bare: no JSON-LD"], [])


@time_machine.travel(NOW, tick=False)
def test_og_locale_alternate_names_only_languages_the_page_exists_in(client, site):
    EventFactory(slug="english-only", publish_at=NOW - timedelta(hours=1))

    only = read_head(client.get("/en/events/english-only/").content.decode())
    both = read_head(client.get("/en/events/talks/").content.decode())
    listing = read_head(client.get("/ru/events/").content.decode())

    assert "og:locale:alternate" not in only.meta
    assert both.meta["og:locale:alternate"] == ["ru_RU"]
    assert listing.meta["og:locale:alternate"] == ["en_GB"]


def test_the_page_head_renders_empty_without_a_request():
    # Django's bare error pages render without a request: the head must not be what breaks them.
    html = Template("{% load share %}<head>{% page_meta %}</head>").render(Context({}))

    assert html.split() == ["<head>", "</head>"]
