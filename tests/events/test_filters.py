import re
from datetime import UTC, date, datetime

import pytest
from django import forms

from events.filters import MenuSelect, SiteDateInput, SiteNumberInput, SiteTextInput
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


def normalised(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


def menu(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL).group(0)


def chosen(html: str, name: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', menu(html, name))


@pytest.mark.parametrize("value", ["", "b", "missing", None])
def test_a_menu_is_written_as_djangos_own_select_writes_it(value):
    choices = [("", "Anyone"), ("a", "Anna & Co"), ("b", "<Boris>"), ("Group", [("c", "Chen"), ("b", "Boris again")])]
    django_menu = forms.Select(choices=choices).render("person", value, {"id": "id_person", "required": True})
    site_menu = MenuSelect(choices=choices).render("person", value, {"id": "id_person", "required": True})

    assert normalised(site_menu) == normalised(django_menu)


@pytest.mark.parametrize(
    ("site", "django_widget", "value"),
    [
        (SiteTextInput, forms.TextInput, 'summit "2026" & <talks>'),
        (SiteTextInput, forms.TextInput, None),
        (SiteDateInput, forms.DateInput, date(2026, 3, 18)),
        (SiteDateInput, forms.DateInput, "not a date"),
        (SiteNumberInput, forms.NumberInput, 2019),
    ],
)
def test_inputs_are_written_as_djangos_own_widgets_write_them(site, django_widget, value):
    attrs = {"type": "search", "placeholder": "Words <here>", "id": "id_q", "required": True, "disabled": False}
    expected = django_widget(attrs=dict(attrs)).render("q", value, {"class": "x"})
    assert site(attrs=dict(attrs)).render("q", value, {"class": "x"}) == expected


def test_the_kept_person_menu_marks_the_person_chosen_and_nobody_for_a_stranger(client, catalogue):
    PersonFactory(name="Anna Petrova", slug="anna-petrova")
    EventParticipantFactory(event=catalogue["trade"], person__name="Boris Ivanov", person__slug="boris-ivanov")
    client.get("/en/events/")  # the menus are now kept for this content version

    assert chosen(client.get("/en/events/").content.decode(), "person") == [""]
    assert chosen(client.get("/en/events/", {"person": "ivan-sidorov"}).content.decode(), "person") == ["ivan-sidorov"]
    assert chosen(client.get("/en/events/", {"person": "boris-ivanov"}).content.decode(), "person") == ["boris-ivanov"]
    # Anna takes part in no public release: she is not on the menu, and nobody is chosen (as Django does).
    assert chosen(client.get("/en/events/", {"person": "anna-petrova"}).content.decode(), "person") == []
    assert chosen(client.get("/en/events/", {"person": "", "kind": "news"}).content.decode(), "person") == [""]
    html = client.get("/en/events/", {"person": "ivan-sidorov"}).content.decode()
    assert '<option value="">Anyone</option>' in menu(html, "person")
    assert '<option value="ivan-sidorov" selected>Ivan Sidorov</option>' in menu(html, "person")


def test_a_section_page_menu_offers_its_sub_sections_and_the_all_events_menu_every_section(client, catalogue):
    everywhere = menu(client.get("/en/events/", {"section": "border"}).content.decode(), "section")
    within = menu(client.get("/en/sections/security/").content.decode(), "section")

    assert '<option value="">All sections</option>' in everywhere
    assert '<option value="border" selected>Security › Border</option>' in everywhere
    assert '<option value="economy">Economy</option>' in everywhere
    assert '<option value="" selected>All of this section</option>' in within
    assert '<option value="border">Security › Border</option>' in within
    assert "economy" not in within


def test_the_kept_menus_follow_a_publication(client, catalogue, django_capture_on_commit_callbacks):
    newcomer = PersonFactory(name="Vera Newcomer", slug="vera-newcomer")
    draft = EventFactory(draft=True)
    EventParticipantFactory(event=draft, person=newcomer)
    assert "Vera Newcomer" not in client.get("/en/events/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Event.Status.PUBLISHED
        draft.publish_at = datetime(2025, 1, 1, tzinfo=UTC)
        draft.save()

    assert '<option value="vera-newcomer">Vera Newcomer</option>' in client.get("/en/events/").content.decode()
