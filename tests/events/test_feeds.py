from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests.factories import EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
FEEDS = ["feed-rss", "feed-atom"]


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"events:{name}", kwargs=kwargs or None)


def fetch(client, path):
    response = client.get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def titles(parsed):
    return [entry.title for entry in parsed.entries]


@pytest.mark.parametrize("name", FEEDS)
@time_machine.travel(NOW, tick=False)
def test_feed_lists_public_events_newest_first_and_parses_cleanly(client, name):
    EventFactory(title="Older talks", publish_at=NOW - timedelta(days=2))
    EventFactory(title="Newer talks", publish_at=NOW - timedelta(hours=1))

    response, parsed = fetch(client, url(name))

    assert titles(parsed) == ["Newer talks", "Older talks"]
    expected_type = "application/rss+xml" if name == "feed-rss" else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)


@pytest.mark.parametrize("name", FEEDS)
def test_feed_hides_drafts_reviews_withdrawn_and_scheduled_until_due(client, name):
    with time_machine.travel(NOW, tick=False):
        EventFactory(title="Public release")
        EventFactory(title="A draft", draft=True)
        EventFactory(title="In review", in_review=True)
        EventFactory(title="Withdrawn", withdrawn=True, publish_at=NOW - timedelta(days=1))
        EventFactory(title="Scheduled", publish_at=NOW + timedelta(hours=2))

        _response, parsed = fetch(client, url(name))
        assert titles(parsed) == ["Public release"]

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        _response, parsed = fetch(client, url(name))
        assert titles(parsed) == ["Scheduled", "Public release"]


@time_machine.travel(NOW, tick=False)
def test_atom_entries_carry_updated_author_category_and_an_absolute_link(client):
    section = SectionFactory(name="Security")
    event = EventFactory(
        title="Ministers meet",
        slug="ministers-meet",
        section=section,
        publish_at=NOW - timedelta(days=1),
    )
    event.public_updated_at = NOW - timedelta(hours=3)
    event.save()

    _response, parsed = fetch(client, url("feed-atom"))

    entry = parsed.entries[0]
    assert entry.link == "http://testserver/en/events/ministers-meet/"
    assert entry.updated == "2026-05-12T07:00:00+00:00"
    assert entry.published == "2026-05-11T10:00:00+00:00"
    assert entry.author == "Press Office"
    assert [tag.term for tag in entry.tags] == ["Security"]
    assert entry.id.startswith(f"tag:127.0.0.1,2026-05-12:event-{event.translation_key}-en")


@time_machine.travel(NOW, tick=False)
def test_atom_entry_updated_falls_back_to_the_publication_time(client):
    EventFactory(publish_at=NOW - timedelta(days=1))

    _response, parsed = fetch(client, url("feed-atom"))

    assert parsed.entries[0].updated == "2026-05-11T10:00:00+00:00"


@time_machine.travel(NOW, tick=False)
def test_rss_item_has_pubdate_guid_and_escaped_lead(client):
    EventFactory(title="Talks", lead="Budget <script>alert(1)</script> & more", location="Vienna")

    response, parsed = fetch(client, url("feed-rss"))

    entry = parsed.entries[0]
    assert entry.published == "Tue, 12 May 2026 09:00:00 +0000"
    assert entry.guidislink is False
    # The reader receives HTML in which the lead's markup is text, never a live element.
    assert "<script>" not in entry.summary
    assert "Budget &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in entry.summary
    assert "Vienna" in entry.summary
    assert b"<script>" not in response.content


@time_machine.travel(NOW, tick=False)
def test_feed_lists_only_releases_in_the_language_of_its_url(client):
    english = EventFactory(title="Summit opens", language="en")
    EventFactory(title="Саммит открылся", language="ru", translation_key=english.translation_key)

    _response, english_feed = fetch(client, url("feed-rss", "en"))
    _response, russian_feed = fetch(client, url("feed-rss", "ru"))

    assert titles(english_feed) == ["Summit opens"]
    assert titles(russian_feed) == ["Саммит открылся"]
    assert russian_feed.entries[0].link.startswith("http://testserver/ru/events/")


@pytest.mark.parametrize("name", ["section-feed-rss", "section-feed-atom"])
@time_machine.travel(NOW, tick=False)
def test_section_feed_lists_its_own_and_its_subsections_events_only(client, name):
    section = SectionFactory(name="Economy", slug="economy")
    child = SectionFactory(name="Trade", parent=section)
    EventFactory(title="Economy forum", section=section, publish_at=NOW - timedelta(hours=2))
    EventFactory(title="Trade deal", section=child, publish_at=NOW - timedelta(hours=1))
    EventFactory(title="Elsewhere")
    EventFactory(title="Economy draft", section=section, draft=True)

    _response, parsed = fetch(client, url(name, slug="economy"))

    assert titles(parsed) == ["Trade deal", "Economy forum"]
    assert parsed.feed.title == "Press Office: Economy"


@pytest.mark.parametrize("name", ["section-feed-rss", "section-feed-atom"])
def test_section_feed_of_an_unknown_or_inactive_section_is_404(client, name):
    SectionFactory(slug="archived", is_active=False)

    assert client.get(url(name, slug="no-such-section")).status_code == 404
    assert client.get(url(name, slug="archived")).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_feed_holds_the_latest_fifty_with_a_constant_number_of_queries(client, django_assert_num_queries):
    for minutes in range(55):
        EventFactory(title=f"Release {minutes}", publish_at=NOW - timedelta(minutes=minutes + 1))

    # The releases, then their lead photos (for the enclosures) in one more query.
    with django_assert_num_queries(2):
        _response, parsed = fetch(client, url("feed-atom"))

    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "Release 0"
    assert parsed.entries[-1].title == "Release 49"
