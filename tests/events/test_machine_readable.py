"""What feed readers, calendar apps, address books and search engines get, read with strict parsers.

Each test reads our output the way a strict client does (feedparser, the ``ical`` and ``icalendar``
packages, the ``vcard`` validator, ``extruct``) on content chosen to be awkward: markup and ampersands in
titles and leads, Cyrillic, all-day and open-ended events, a time zone that is not UTC.
"""

import re
import warnings
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import extruct
import feedparser
import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from ical.calendar_stream import IcsCalendarStream
from vcard.vcard_validator import validate_file

from tests.factories import (
    EventFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PhoneNumberFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time: full date, "T", time with optional fraction, and "Z" or a numeric offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# RSS 2.0 dates are RFC 822 dates with a four-digit year: "Tue, 12 May 2026 10:00:00 +0000".
RFC822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"events:{name}", kwargs=kwargs or None)


@pytest.fixture
def awkward_events(settings):
    """Releases whose text must be escaped, in both languages, timed, all-day and without an end."""
    settings.TIME_ZONE = "Europe/Moscow"
    section = SectionFactory(name="Security & Defence", slug="security")
    with time_machine.travel(NOW, tick=False):
        timed = EventFactory(
            section=section,
            slug="talks",
            title='Talks on "R&D" <cooperation>',
            lead="Ministers agreed on <b>three</b> points & a timetable.",
            body='<p>First <a href="https://example.org/?a=1&amp;b=2">link</a> &amp; more.</p>',
            location="Moscow, 5 Red Square",
            starts_at=datetime(2026, 5, 20, 10, 0, tzinfo=MOSCOW),
            ends_at=datetime(2026, 5, 20, 12, 30, tzinfo=MOSCOW),
            publish_at=NOW - timedelta(hours=3),
        )
        all_day = EventFactory(
            section=section,
            slug="forum",
            title="Youth forum",
            all_day=True,
            starts_at=datetime(2026, 5, 25, 0, 0, tzinfo=MOSCOW),
            ends_at=datetime(2026, 5, 27, 0, 0, tzinfo=MOSCOW),
            publish_at=NOW - timedelta(hours=2),
        )
        open_ended = EventFactory(
            section=section,
            slug="briefing",
            title="Briefing",
            starts_at=datetime(2026, 5, 22, 15, 0, tzinfo=MOSCOW),
            ends_at=None,
            publish_at=NOW - timedelta(hours=1),
        )
        russian = EventFactory(
            section=section,
            slug="peregovory",
            language="ru",
            title="Переговоры «Север & Юг»",
            lead="Стороны обсудили <сотрудничество>.",
            starts_at=datetime(2026, 5, 21, 11, 0, tzinfo=MOSCOW),
            publish_at=NOW - timedelta(hours=1),
        )
        EventFactory(section=section, slug="secret-draft", title="Secret draft", draft=True)
    return {"timed": timed, "all_day": all_day, "open_ended": open_ended, "russian": russian}


# Feeds


def atom_entries(content: bytes):
    root = ElementTree.fromstring(content)
    return root, root.findall(f"{ATOM}entry")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", ["feed-atom", "section-feed-atom"])
def test_every_atom_entry_has_an_author_and_an_rfc3339_updated_date(client, awkward_events, name):
    kwargs = {"slug": "security"} if name.startswith("section") else {}

    response = client.get(url(name, **kwargs))

    assert response.status_code == 200
    root, entries = atom_entries(response.content)
    assert RFC3339.match(root.findtext(f"{ATOM}updated"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Briefing",
        "Youth forum",
        'Talks on "R&D" <cooperation>',
    ]
    for entry in entries:
        assert RFC3339.match(entry.findtext(f"{ATOM}updated")), entry.findtext(f"{ATOM}title")
        assert RFC3339.match(entry.findtext(f"{ATOM}published"))
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Press Office"
        assert entry.findtext(f"{ATOM}id").startswith("tag:")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", ["feed-rss", "feed-atom"])
def test_feeds_parse_without_bozo_and_give_back_the_html_of_the_description_unharmed(client, awkward_events, name):
    response = client.get(url(name))

    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    talks = next(entry for entry in parsed.entries if entry.link.endswith("/en/events/talks/"))
    assert talks.title == 'Talks on "R&D" <cooperation>'
    # The markup of the lead is text to show, not tags: a reader must display it literally.
    assert "Ministers agreed on &lt;b&gt;three&lt;/b&gt; points &amp; a timetable." in talks.summary
    assert talks.published_parsed is not None
    if name == "feed-atom":
        assert talks.updated_parsed is not None
    assert "Secret draft" not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_rss_dates_are_rfc_822_and_descriptions_are_escaped_xml(client, awkward_events):
    response = client.get(url("feed-rss"))

    channel = ElementTree.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        assert re.match(
            r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", item.findtext("pubDate")
        )
    # ElementTree has already undone one level of escaping: what is left is the HTML a reader renders.
    description = items[2].findtext("description")
    assert "&lt;b&gt;three&lt;/b&gt;" in description
    assert "<b>" not in description


@time_machine.travel(NOW, tick=False)
def test_russian_feed_parses_and_keeps_cyrillic_and_guillemets(client, awkward_events):
    response = client.get(url("feed-atom", language="ru"))

    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [entry.title for entry in parsed.entries] == ["Переговоры «Север & Юг»"]
    assert parsed.entries[0].author == "Пресс-служба"  # the office's Russian name (CSO_SITE_NAME_RU)


# iCalendar


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("ics", {}), ("section-ics", {"slug": "security"}), ("event-ics", {"slug": "talks"})],
)
def test_calendars_load_in_the_strict_ical_parser_with_time_zones(client, awkward_events, name, kwargs):
    response = client.get(url(name, **kwargs))

    assert response.status_code == 200
    text = response.content.decode()
    calendar = IcsCalendarStream.calendar_from_ics(text)
    assert calendar.prodid
    assert calendar.events
    assert [tz.tz_id for tz in calendar.timezones] == ["Europe/Moscow"]
    for event in calendar.events:
        assert event.uid and event.dtstamp and event.dtstart
        if event.dtend is not None:
            assert event.dtend > event.dtstart, event.summary


@time_machine.travel(NOW, tick=False)
def test_every_vevent_has_uid_dtstamp_dtstart_and_an_end_after_its_start(client, awkward_events):
    response = client.get(url("ics"))

    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Moscow"]
    vevents = {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}
    assert sorted(vevents) == ["Briefing", 'Talks on "R&D" <cooperation>', "Youth forum"]
    for summary, vevent in vevents.items():
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in vevent, (summary, required)
        # DTSTAMP is a UTC date-time (RFC 5545, 3.8.7.2).
        assert vevent.decoded("DTSTAMP").utcoffset() == timedelta(0)
    talks = vevents['Talks on "R&D" <cooperation>']
    assert talks.decoded("DTSTART") == datetime(2026, 5, 20, 10, 0, tzinfo=MOSCOW)
    assert talks["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert talks.decoded("DTEND") > talks.decoded("DTSTART")
    forum = vevents["Youth forum"]
    assert (forum.decoded("DTEND") - forum.decoded("DTSTART")).days == 3
    assert "DTEND" not in vevents["Briefing"]
    assert "Secret draft" not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_uids_are_unique_and_lines_are_folded_to_75_octets(client, awkward_events):
    EventFactory(slug="long", title="A very long title " * 12, starts_at=NOW + timedelta(days=3))

    response = client.get(url("ics"))

    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    uids = [str(vevent["UID"]) for vevent in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 4


# vCard


def vcard_errors(content: bytes, tmp_path) -> str:
    """The validator's report on a vCard ("" when valid).

    RFC 2425/2426 define the text as octets (NON-ASCII = %x80-FF) and the validator follows that grammar
    character by character, so it is given one character per octet: UTF-8 Cyrillic is then checked as the
    octets a client receives, and so is the 75-octet line limit.
    """
    card = tmp_path / "contact.vcf"
    card.write_text(content.decode("latin-1"), encoding="utf-8", newline="")
    # Over-long and empty folded lines are only warnings to the validator; to us they are errors. A line
    # folded before 75 octets is not: RFC 2425 allows folding anywhere, and a fold must not split the two
    # octets of a Cyrillic letter.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = validate_file(str(card), verbose=False)
    problems = [str(w.message) for w in caught if not str(w.message).startswith("Short folded line")]
    return report + "".join(problems)


def test_press_contact_vcard_is_valid_vcard_3(client, tmp_path):
    organization = OrganizationFactory(name="Secretariat & Services", slug="secretariat")
    person = PressContactFactory(
        name="Viktor Lebedev",
        slug="viktor-lebedev",
        position="Spokesman; Head of Press, Media",
        organization=organization,
        email="press@cso.example.org",
    )
    PhoneNumberFactory(person=person, number="+74951234567")
    PhoneNumberFactory(person=person, number="+74957654321", label="mobile")

    response = client.get(url("contact-vcard", slug="viktor-lebedev"))

    assert response.status_code == 200
    assert vcard_errors(response.content, tmp_path) == ""
    text = response.content.decode()
    assert "VERSION:3.0\r\n" in text
    assert "FN:Viktor Lebedev\r\n" in text
    # Commas and semicolons inside a value are escaped, or an address book splits the title apart.
    assert "TITLE:Spokesman\\; Head of Press\\, Media\r\n" in text


def test_russian_press_contact_vcard_is_valid_vcard_3(client, tmp_path):
    PressContactFactory(
        name="Ольга Смирнова",
        slug="olga",
        email="olga@cso.example.org",
        position="Заместитель начальника отдела по связям со средствами массовой информации и общественностью",
    )

    response = client.get(url("contact-vcard", language="ru", slug="olga"))

    assert vcard_errors(response.content, tmp_path) == ""
    assert "FN:Ольга Смирнова\r\n" in response.content.decode()
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


# Structured data (JSON-LD)

# The schema.org properties each type we use may carry (from the schema.org vocabulary, inherited ones
# included). A misspelt or invented property would be silently ignored by search engines.
SCHEMA_PROPERTIES = {
    "NewsArticle": {
        "headline",
        "description",
        "inLanguage",
        "url",
        "mainEntityOfPage",
        "articleSection",
        "publisher",
        "author",
        "about",
        "datePublished",
        "dateModified",
        "image",
        "mentions",
    },
    "Event": {
        "name",
        "description",
        "startDate",
        "endDate",
        "eventStatus",
        "eventAttendanceMode",
        "url",
        "organizer",
        "performer",
        "location",
        "image",
    },
    "Place": {"name", "address"},
    "PostalAddress": {"streetAddress", "addressLocality", "addressCountry"},
    "Organization": {"name", "url", "alternateName"},
    "Person": {"name", "url", "jobTitle", "affiliation"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name", "item"},
}


def typed_nodes(node):
    """Every JSON-LD object with an @type inside ``node``, depth first."""
    if isinstance(node, dict):
        if "@type" in node:
            yield node
        for value in node.values():
            yield from typed_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from typed_nodes(item)


def json_ld_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    data = extruct.extract(
        response.content.decode(), base_url="http://testserver" + path, syntaxes=["json-ld"], uniform=True
    )
    return data["json-ld"]


@time_machine.travel(NOW, tick=False)
def test_event_page_json_ld_describes_the_event_with_real_schema_org_terms(client, awkward_events):
    event = awkward_events["timed"]
    PhotoFactory(event=event)
    EventPressContactFactory(event=event)

    items = json_ld_of(client, url("detail", slug="talks"))

    assert [item["@type"] for item in items] == ["NewsArticle", "BreadcrumbList"]
    article = items[0]
    assert article["@context"] in ("https://schema.org", "http://schema.org")
    for node in typed_nodes(article):
        assert node["@type"] in SCHEMA_PROPERTIES, node["@type"]
        unknown = set(node) - {"@context", "@type"} - SCHEMA_PROPERTIES[node["@type"]]
        assert not unknown, (node["@type"], unknown)
    happening = article["about"]
    assert happening["@type"] == "Event"
    assert happening["name"] == 'Talks on "R&D" <cooperation>'
    assert datetime.fromisoformat(happening["startDate"]) == datetime(2026, 5, 20, 10, 0, tzinfo=MOSCOW)
    assert datetime.fromisoformat(happening["endDate"]) == datetime(2026, 5, 20, 12, 30, tzinfo=MOSCOW)
    assert happening["eventStatus"] == "https://schema.org/EventScheduled"
    assert happening["location"] == {
        "@type": "Place",
        "name": "Moscow, 5 Red Square",
        "address": {"@type": "PostalAddress", "streetAddress": "Moscow, 5 Red Square"},
    }
    assert happening["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert happening["description"] == event.lead
    assert happening["organizer"]["@type"] == "Organization"
    assert happening["organizer"]["name"] == "Press Office"
    # The social crop and the large copy of the one photo.
    assert len(happening["image"]) == 2
    assert all(image.startswith("http://testserver/files/") for image in happening["image"])
    assert datetime.fromisoformat(article["datePublished"]) == NOW - timedelta(hours=3)


@time_machine.travel(NOW, tick=False)
def test_json_ld_survives_a_title_that_tries_to_close_the_script(client):
    EventFactory(slug="tricky", title="</script><script>alert(1)</script> & more", location="Minsk")

    items = json_ld_of(client, url("detail", slug="tricky"))

    assert items[0]["headline"] == "</script><script>alert(1)</script> & more"
    assert items[0]["about"]["name"] == "</script><script>alert(1)</script> & more"


@time_machine.travel(NOW, tick=False)
def test_russian_event_page_json_ld_names_its_language(client, awkward_events):
    items = json_ld_of(client, url("detail", language="ru", slug="peregovory"))

    assert items[0]["inLanguage"] == "ru"
    assert items[0]["headline"] == "Переговоры «Север & Юг»"
    # No place given: an article, not an Event (search engines need a place for an event).
    assert "about" not in items[0]
    assert items[1]["itemListElement"][-1]["name"] == "Переговоры «Север & Юг»"
