"""JSON-LD and Open Graph image facts, as search engines and link previews read them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from scripts.page_metadata import check_json_ld, read_head
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    make_jpeg_bytes,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
BASE = "http://testserver"


def head_of(client, name, language="en", **kwargs):
    with translation.override(language):
        path = reverse(f"events:{name}", kwargs=kwargs or None)
    response = client.get(path)
    assert response.status_code == 200
    return read_head(response.content.decode()), response.content.decode()


def nodes_by_type(head):
    return {node["@type"]: node for node in head.json_ld}


@pytest.fixture
def release():
    with time_machine.travel(NOW, tick=False):
        section = SectionFactory(name="Security", slug="security")
        event = EventFactory(
            title="Foreign ministers meet in Vienna",
            slug="ministers-vienna",
            section=section,
            lead="The ministers discussed the situation in the region.",
            location="Vienna, Hofburg",
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=2, hours=3),
            publish_at=NOW - timedelta(hours=1),
        )
        ministry = OrganizationFactory(name="Ministry of Foreign Affairs", short_name="MFA")
        event.organizations.add(ministry)
        for position, name in enumerate(["Anna Petrova", "Karl Huber"]):
            person = PersonFactory(name=name, position="Minister", organization=ministry)
            EventParticipantFactory(event=event, person=person, position=position)
        PhotoFactory(event=event, position=0, alt_text="The hall before the meeting.")
        cover = PhotoFactory(event=event, position=1, alt_text="The ministers shake hands.", credit="CSO / Ivanov")
        event.cover = cover
        event.save()
    return event


@time_machine.travel(NOW, tick=False)
def test_release_json_ld_is_a_news_article_about_a_complete_event(client, release):
    head, html = head_of(client, "detail", slug="ministers-vienna")

    article, breadcrumbs = head.json_ld
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Foreign ministers meet in Vienna"
    assert article["mentions"] == [
        {
            "@type": "Organization",
            "name": "Ministry of Foreign Affairs",
            "url": f"{BASE}/en/organisations/{release.organizations.get().slug}/",
            "alternateName": "MFA",
        }
    ]
    happening = article["about"]
    assert happening["description"] == "The ministers discussed the situation in the region."
    assert happening["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert happening["location"] == {
        "@type": "Place",
        "name": "Vienna, Hofburg",
        "address": {"@type": "PostalAddress", "streetAddress": "Vienna, Hofburg"},
    }
    assert [(p["@type"], p["name"], p["jobTitle"]) for p in happening["performer"]] == [
        ("Person", "Anna Petrova", "Minister"),
        ("Person", "Karl Huber", "Minister"),
    ]
    assert happening["organizer"] == {"@type": "Organization", "name": "Press Office", "url": f"{BASE}/en/"}
    assert datetime.fromisoformat(happening["endDate"]) == NOW + timedelta(days=2, hours=3)
    # The cover leads: its social crop comes first among the pictures.
    assert article["image"][0].startswith(f"{BASE}/files/{release.cover_id}/social-jpeg/")
    assert [(item["position"], item["name"], item.get("item")) for item in breadcrumbs["itemListElement"]] == [
        (1, "Home", f"{BASE}/en/"),
        (2, "Security", f"{BASE}/en/sections/security/"),
        (3, "Foreign ministers meet in Vienna", f"{BASE}/en/events/ministers-vienna/"),
    ]
    findings, _notes = check_json_ld("release", html)
    assert findings == []


@time_machine.travel(NOW, tick=False)
def test_release_open_graph_image_is_the_cover_social_crop_with_its_alt_and_size(client, release):
    head, _html = head_of(client, "detail", slug="ministers-vienna")

    assert len(head.meta["og:image"]) == 1
    assert head.meta["og:image"][0].startswith(f"{BASE}/files/{release.cover_id}/social-jpeg/")
    social = release.cover.renditions["social"]
    assert head.meta["og:image:width"] == [str(social["width"])]
    assert head.meta["og:image:height"] == [str(social["height"])]
    assert head.meta["og:image:alt"] == ["The ministers shake hands."]
    assert head.meta["twitter:image:alt"] == ["The ministers shake hands."]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["og:type"] == ["article"]
    assert head.meta["article:section"] == ["Security"]


@time_machine.travel(NOW, tick=False)
def test_person_page_has_person_json_ld_and_a_profile_card_with_the_photo(client):
    ministry = OrganizationFactory(name="Ministry of Foreign Affairs", slug="mfa")
    person = PersonFactory(
        name="Anna Petrova",
        name_ru="Анна Петрова",
        slug="anna-petrova",
        position="Minister",
        position_ru="Министр",
        organization=ministry,
        photo=ContentFile(make_jpeg_bytes(300, 200), name="anna.jpg"),
    )
    EventParticipantFactory(person=person, event=EventFactory(publish_at=NOW - timedelta(days=1)))

    head, _html = head_of(client, "person", "ru", slug="anna-petrova")

    nodes = nodes_by_type(head)
    assert nodes["Person"]["name"] == "Анна Петрова"
    assert nodes["Person"]["jobTitle"] == "Министр"
    assert nodes["Person"]["worksFor"]["url"] == f"{BASE}/ru/organisations/mfa/"
    assert nodes["Person"]["image"] == head.meta["og:image"][0]
    assert [item["name"] for item in nodes["BreadcrumbList"]["itemListElement"]][-1] == "Анна Петрова"
    assert head.meta["og:type"] == ["profile"]
    assert head.meta["og:image:alt"] == ["Анна Петрова"]
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == (["300"], ["200"])
    assert head.meta["og:locale"] == ["ru_RU"]


@time_machine.travel(NOW, tick=False)
def test_organisation_page_has_organization_json_ld_with_its_parent_and_website(client):
    parent = OrganizationFactory(name="Commonwealth", slug="commonwealth")
    unit = OrganizationFactory(
        name="Press Service", short_name="PS", slug="press-service", parent=parent, website="https://example.org/"
    )
    EventFactory(publish_at=NOW - timedelta(days=1)).organizations.add(unit)

    head, _html = head_of(client, "organization", slug="press-service")

    organization = nodes_by_type(head)["Organization"]
    assert organization["name"] == "Press Service"
    assert organization["alternateName"] == "PS"
    assert organization["sameAs"] == ["https://example.org/"]
    assert organization["parentOrganization"]["url"] == f"{BASE}/en/organisations/commonwealth/"
    assert "og:image" not in head.meta
    assert head.meta["twitter:card"] == ["summary"]


@time_machine.travel(NOW, tick=False)
def test_home_page_has_website_with_search_action_and_the_office(client):
    head, html = head_of(client, "home")

    nodes = nodes_by_type(head)
    website = nodes["WebSite"]
    assert website["url"] == f"{BASE}/en/"
    assert website["potentialAction"]["target"]["urlTemplate"] == f"{BASE}/en/search/?q={{search_term_string}}"
    assert website["potentialAction"]["query-input"] == "required name=search_term_string"
    assert nodes["Organization"]["name"] == "Press Office"
    assert check_json_ld("home", html)[0] == []


@time_machine.travel(NOW, tick=False)
def test_a_section_page_has_breadcrumbs_through_its_parent(client):
    parent = SectionFactory(name="Economy", slug="economy")
    SectionFactory(name="Trade", slug="trade", parent=parent)

    head, _html = head_of(client, "section", slug="trade")

    crumbs = nodes_by_type(head)["BreadcrumbList"]["itemListElement"]
    assert [(item["name"], item["item"]) for item in crumbs] == [
        ("Home", f"{BASE}/en/"),
        ("Section categories", f"{BASE}/en/sections/"),
        ("Economy", f"{BASE}/en/sections/economy/"),
        ("Trade", f"{BASE}/en/sections/trade/"),
    ]


@time_machine.travel(NOW, tick=False)
def test_a_name_that_tries_to_close_the_script_stays_inside_the_json(client):
    person = PersonFactory(name="</script><script>alert(1)</script>", slug="tricky")
    EventParticipantFactory(person=person, event=EventFactory(publish_at=NOW - timedelta(days=1)))

    head, html = head_of(client, "person", slug="tricky")

    assert "<script>alert(1)" not in html
    assert nodes_by_type(head)["Person"]["name"] == "</script><script>alert(1)</script>"


@time_machine.travel(NOW, tick=False)
def test_a_photo_without_alt_text_is_described_by_the_release_title_on_the_card(client):
    event = EventFactory(slug="undescribed", title="Talks in Minsk", publish_at=NOW - timedelta(hours=1))
    PhotoFactory(event=event, alt_text="")

    head, _html = head_of(client, "detail", slug="undescribed")

    assert head.meta["og:image:alt"] == ["Talks in Minsk"]


@time_machine.travel(NOW, tick=False)
def test_organisation_logo_alt_is_translated(client):
    organization = OrganizationFactory(name="Press Service", name_ru="Пресс-служба", slug="press-service")
    organization.logo.save("logo.png", ContentFile(make_jpeg_bytes(120, 60, fmt="PNG")))
    EventFactory(publish_at=NOW - timedelta(days=1)).organizations.add(organization)

    head, _html = head_of(client, "organization", "ru", slug="press-service")

    assert head.meta["og:image:alt"] == ["Логотип: Пресс-служба"]
    assert head.meta["og:image:type"] == ["image/png"]
    assert nodes_by_type(head)["Organization"]["logo"] == head.meta["og:image"][0]
