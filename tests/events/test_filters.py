from datetime import UTC, datetime

import pytest

from events.models import Event
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def titles(response) -> set[str]:
    return {event.title for event in response.context["object_list"]}


@pytest.fixture
def catalogue():
    """Five releases that differ in one property each from the first one."""
    security = SectionFactory(name="Security", slug="security")
    economy = SectionFactory(name="Economy", slug="economy")
    border = SectionFactory(name="Border", slug="border", parent=security)
    minister = PersonFactory(name="Ivan Sidorov", slug="ivan-sidorov")
    agency = OrganizationFactory(name="Energy Agency", slug="energy-agency")
    base = {"starts_at": datetime(2025, 3, 10, 9, tzinfo=UTC), "section": security}
    events = {
        "talks": EventFactory(title="Security talks", **base),
        "border": EventFactory(title="Border checkpoint opened", **{**base, "section": border}),
        "trade": EventFactory(title="Trade forum", **{**base, "section": economy, "kind": Event.Kind.NEWS}),
        "old": EventFactory(title="Founding anniversary", **{**base, "starts_at": datetime(2019, 6, 1, tzinfo=UTC)}),
        "energy": EventFactory(
            title="Energy statement", lead="On pipelines.", **{**base, "kind": Event.Kind.STATEMENT}
        ),
        "russian": EventFactory(title="Переговоры", language="ru", **base),
    }
    EventParticipantFactory(event=events["talks"], person=minister)
    events["energy"].organizations.add(agency)
    return events


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Security talks", "Border checkpoint opened", "Trade forum", "Founding anniversary", "Energy statement"}),
        ({"section": "economy"}, {"Trade forum"}),
        (
            {"section": "security"},
            {"Security talks", "Border checkpoint opened", "Founding anniversary", "Energy statement"},
        ),
        ({"section": "border"}, {"Border checkpoint opened"}),
        ({"kind": "news"}, {"Trade forum"}),
        ({"year": "2019"}, {"Founding anniversary"}),
        (
            {"date_from": "2025-01-01"},
            {"Security talks", "Border checkpoint opened", "Trade forum", "Energy statement"},
        ),
        ({"date_to": "2020-01-01"}, {"Founding anniversary"}),
        ({"date_from": "2025-03-10", "date_to": "2025-03-10", "kind": "statement"}, {"Energy statement"}),
        ({"person": "ivan-sidorov"}, {"Security talks"}),
        ({"organization": "energy-agency"}, {"Energy statement"}),
        ({"language": "ru"}, {"Переговоры"}),
        ({"q": "pipelines"}, {"Energy statement"}),
        ({"q": "checkpoint border"}, {"Border checkpoint opened"}),
        ({"q": "checkpoint", "section": "economy"}, set()),
        ({"section": "security", "kind": "statement", "organization": "energy-agency"}, {"Energy statement"}),
    ],
)
def test_each_filter_and_combination_narrows_the_list(client, catalogue, query, expected):
    response = client.get("/en/events/", query)

    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1800"}, "year"),
        ({"year": "2024.5"}, "year"),
        ({"date_from": "2025-02-31"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"section": "no-such-section"}, "section"),
        ({"kind": "<script>"}, "kind"),
        ({"person": "nobody"}, "person"),
        ({"organization": "x" * 500}, "organization"),
        ({"language": "de"}, "language"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_invalid_filter_values_are_a_form_error_on_the_page(client, catalogue, query, field):
    response = client.get("/en/events/", query)

    assert response.status_code == 200
    assert field in response.context["filter"].form.errors
    assert "Some filters could not be applied" in response.content.decode()


def test_other_filters_still_apply_when_one_is_invalid(client, catalogue):
    response = client.get("/en/events/", {"kind": "news", "year": "abc"})

    assert titles(response) == {"Trade forum"}


def test_filters_in_use_are_shown_as_chips_that_remove_themselves(client, catalogue):
    html = client.get("/en/events/", {"section": "economy", "kind": "news", "page": "1"}).content.decode()

    assert "Section: <strong>Economy</strong>" in html
    assert "Type: <strong>News</strong>" in html
    assert 'href="/en/events/?kind=news" class="chip-remove"' in html
    assert 'href="/en/events/?section=economy" class="chip-remove"' in html


def test_page_links_keep_the_filters(client):
    section = SectionFactory(slug="security")
    for number in range(25):
        EventFactory(section=section, title=f"Item {number}")

    html = client.get("/en/events/", {"section": "security", "kind": "press_release"}).content.decode()

    # The page cache hands every page its parameters in one order (sorted), whatever order the link had.
    assert 'href="?kind=press_release&amp;section=security&amp;page=2"' in html


def test_section_page_filters_within_the_section(client, catalogue):
    response = client.get("/en/sections/security/", {"kind": "statement"})

    assert titles(response) == {"Energy statement"}
    assert titles(client.get("/en/sections/security/", {"section": "border"})) == {"Border checkpoint opened"}


def test_person_choices_only_offer_people_of_public_events(client, catalogue):
    hidden = PersonFactory(name="Secret Visitor", slug="secret-visitor")
    EventParticipantFactory(event=EventFactory(draft=True), person=hidden)

    html = client.get("/en/events/").content.decode()

    assert "Ivan Sidorov" in html
    assert "Secret Visitor" not in html
    assert "person" in client.get("/en/events/", {"person": "secret-visitor"}).context["filter"].form.errors
