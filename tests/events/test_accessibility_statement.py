"""The accessibility statement page and the markup promises it makes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory, PersonFactory, PhoneNumberFactory, PhotoFactory, PressContactFactory

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_statement_says_what_we_meet_what_is_missing_and_whom_to_contact(client):
    contact = PressContactFactory(name="Viktor Lebedev", email="press@cso.example.org")
    PhoneNumberFactory(person=contact, number="+74951234567")
    PersonFactory(name="Arman Seitkaliyev")

    response = client.get("/en/accessibility/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Accessibility statement — Press Office</title>" in html
    assert re.findall(r"<h2 id=\"[a-z-]+\">([^<]+)</h2>", html) == [
        "How accessible this site is",
        "How we check",
        "Known gaps",
        "Tell us about a barrier",
        "About this statement",
    ]
    text = text_of(html)
    assert "Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. It is partially compliant" in text
    assert "may not be tagged for screen readers" in text
    assert '<a class="email" href="mailto:press@cso.example.org">press@cso.example.org</a>' in html
    assert "+7 495 123-45-67" in text
    # Only press contacts answer readers; other people in the directory are not listed here.
    assert "Arman Seitkaliyev" not in text
    assert 'This statement was last reviewed on <time datetime="2026-11-25">25 November 2026</time>.' in html


def test_statement_is_translated_into_russian(client):
    response = client.get("/ru/accessibility/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru">' in html
    assert "<h1>Заявление о доступности</h1>" in html
    assert '<h2 id="gaps-heading">Известные ограничения</h2>' in html
    assert '<time datetime="2026-11-25">25 ноября 2026' in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/accessibility/">' in html


def test_statement_lists_press_contacts_in_two_queries(client):
    for number in range(4):
        PhoneNumberFactory(person=PressContactFactory(name=f"Press Officer {number}"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/accessibility/")

    assert response.status_code == 200
    assert text_of(response.content.decode()).count("Download vCard") == 2
    assert len([q for q in queries.captured_queries if "events_" in q["sql"]]) == 2


@pytest.mark.parametrize(
    ("path", "link"),
    [
        ("/en/", '<a href="/en/accessibility/">Accessibility statement</a>'),
        ("/en/events/", '<a href="/en/accessibility/">Accessibility statement</a>'),
        ("/en/events/summit/", '<a href="/en/accessibility/">Accessibility statement</a>'),
        ("/ru/calendar/", '<a href="/ru/accessibility/">Заявление о доступности</a>'),
        ("/en/accessibility/", '<a href="/en/accessibility/" aria-current="page">Accessibility statement</a>'),
    ],
)
def test_every_public_page_links_the_statement_from_its_footer(client, path, link):
    EventFactory(slug="summit")

    html = client.get(path).content.decode()

    footer = html[html.index('<footer class="site-footer">') :]
    assert link in footer


def test_event_list_titles_are_second_level_headings_under_the_page_title(client):
    EventFactory(title="Summit on security")

    html = client.get("/en/events/").content.decode()

    assert re.search(r'<h2 class="event-title"><a [^>]+>Summit on security</a></h2>', html)
    assert '<h3 class="event-title">' not in html


def test_home_page_titles_stay_third_level_under_latest_releases(client):
    EventFactory(title="Summit on security")

    html = client.get("/en/").content.decode()

    assert re.search(r'<h3 class="event-title"><a [^>]+>Summit on security</a></h3>', html)


def test_photo_viewer_script_is_loaded_only_on_releases_with_photos(client):
    PhotoFactory(event=EventFactory(slug="with-photos"))
    EventFactory(slug="without-photos")

    with_photos = client.get("/en/events/with-photos/").content.decode()
    without_photos = client.get("/en/events/without-photos/").content.decode()

    assert re.search(r'<script src="/static/js/gallery[^"]*\.js" defer></script>', with_photos)
    assert 'data-close-label="Close"' in with_photos
    assert not any("gallery" in tag for tag in re.findall(r"<script[^>]*>", without_photos))
