"""Acceptance 8: Russian pages speak Russian, with Russian dates; language switch, canonical and hreflang."""

from datetime import UTC, datetime

import pytest

from tests.factories import EventFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """One release in English and its Russian translation, plus a Russian-only release."""
    section = SectionFactory(name="Security", name_ru="Безопасность", slug="security")
    starts = datetime(2010, 11, 12, 10, tzinfo=UTC)
    english = EventFactory(title="Ministers meet", slug="ministers-meet", section=section, starts_at=starts)
    russian = EventFactory(
        title="Встреча министров",
        slug="vstrecha-ministrov",
        language="ru",
        section=section,
        starts_at=starts,
        translation_key=english.translation_key,
    )
    only_russian = EventFactory(title="Брифинг", slug="brifing", language="ru", section=section, starts_at=starts)
    return english, russian, only_russian


def test_russian_pages_show_russian_interface_text(client, pair):
    html = client.get("/ru/events/").content.decode()

    assert '<html lang="ru">' in html
    assert "Все события" in html
    assert "Календарь событий" in html
    assert "Показать сообщения" in html
    assert "All events" not in html


def test_russian_pages_write_dates_the_russian_way(client, pair):
    html = client.get("/ru/events/vstrecha-ministrov/").content.decode()

    assert "12 ноября 2010 г." in html
    assert "Безопасность" in html


def test_english_pages_write_dates_the_english_way(client, pair):
    html = client.get("/en/events/ministers-meet/").content.decode()

    assert "12 November 2010" in html


def test_russian_plural_forms_are_used(client, pair):
    assert "2 сообщения" in client.get("/ru/events/").content.decode()


def test_lists_show_releases_in_the_language_of_the_page(client, pair):
    english_titles = {event.title for event in client.get("/en/events/").context["object_list"]}
    russian_titles = {event.title for event in client.get("/ru/events/").context["object_list"]}

    assert english_titles == {"Ministers meet"}
    assert russian_titles == {"Встреча министров", "Брифинг"}


def test_language_switch_on_an_event_goes_to_its_translation(client, pair):
    html = client.get("/en/events/ministers-meet/").content.decode()

    assert '<a href="/ru/events/vstrecha-ministrov/" hreflang="ru" lang="ru" title="Russian">RU</a>' in html


def test_language_switch_without_translation_goes_to_the_list_in_the_other_language(client, pair):
    html = client.get("/ru/events/brifing/").content.decode()

    assert '<a href="/en/events/" hreflang="en" lang="en" title="Английский">EN</a>' in html


def test_language_switch_without_translation_keeps_the_list_the_reader_came_from(client, pair):
    html = client.get("/ru/events/brifing/", {"back": "/ru/calendar/2010/11/"}).content.decode()

    assert '<a href="/en/calendar/2010/11/" hreflang="en"' in html


def test_language_switch_on_a_list_keeps_the_filters(client, pair):
    html = client.get("/en/events/", {"section": "security"}).content.decode()

    assert '<a href="/ru/events/?section=security" hreflang="ru"' in html


def test_event_page_has_canonical_and_hreflang_for_each_translation(client, pair):
    html = client.get("/en/events/ministers-meet/", {"back": "/en/events/?page=2"}).content.decode()

    assert '<link rel="canonical" href="http://testserver/en/events/ministers-meet/">' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/events/ministers-meet/">' in html
    assert '<link rel="alternate" hreflang="ru" href="http://testserver/ru/events/vstrecha-ministrov/">' in html


def test_list_pages_have_canonical_and_hreflang_alternates(client, pair):
    html = client.get("/ru/calendar/2010/11/").content.decode()

    assert '<link rel="canonical" href="http://testserver/ru/calendar/2010/11/">' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/calendar/2010/11/">' in html
    assert "Ноябрь 2010" in html
    assert "Пн" in html and "Вс" in html
