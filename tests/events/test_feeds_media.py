"""Feeds that serve: the lead photo as enclosure and Media RSS, and Atom ``updated`` distinct per entry."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from events.models import Attachment
from tests.factories import EventFactory, PhotoFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


def feed_xml(client, name, language="en"):
    with translation.override(language):
        response = client.get(reverse(f"events:{name}"))
    assert response.status_code == 200
    assert not feedparser.parse(response.content).bozo
    return ET.fromstring(response.content)


@pytest.fixture
def release_with_cover():
    event = EventFactory(title="Summit opens", publish_at=NOW - timedelta(hours=1))
    PhotoFactory(event=event, position=0, alt_text="The first photo.")
    cover = PhotoFactory(event=event, position=1, alt_text="Heads of delegation at the table.", credit="CSO / Ivanov")
    event.cover = cover
    event.save()
    return event, cover


@time_machine.travel(NOW, tick=False)
def test_rss_item_carries_the_cover_photo_as_an_enclosure_with_length_and_type(client, release_with_cover):
    _event, cover = release_with_cover

    item = feed_xml(client, "feed-rss").find("channel/item")

    enclosure = item.find("enclosure")
    large = cover.renditions["large"]
    assert enclosure.get("url") == f"http://testserver/files/{cover.pk}/large-jpeg/{large['jpeg'].rsplit('/', 1)[-1]}"
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) == default_storage.size(large["jpeg"]) > 0
    media = item.find(f"{MEDIA}content")
    assert media.get("url") == enclosure.get("url")
    assert (media.get("width"), media.get("height"), media.get("medium")) == (
        str(large["width"]),
        str(large["height"]),
        "image",
    )
    assert media.find(f"{MEDIA}description").text == "Heads of delegation at the table."
    assert media.find(f"{MEDIA}credit").text == "CSO / Ivanov"


@time_machine.travel(NOW, tick=False)
def test_the_enclosure_answers_with_the_photo_it_announces(client, release_with_cover):
    item = feed_xml(client, "feed-rss").find("channel/item")
    enclosure = item.find("enclosure")

    response = client.get(enclosure.get("url").removeprefix("http://testserver"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert len(b"".join(response.streaming_content)) == int(enclosure.get("length"))


@time_machine.travel(NOW, tick=False)
def test_atom_entry_links_the_lead_photo_as_enclosure_and_media_content(client, release_with_cover):
    _event, cover = release_with_cover

    entry = feed_xml(client, "feed-atom").find(f"{ATOM}entry")

    links = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert len(links) == 1
    assert links[0].get("href").startswith(f"http://testserver/files/{cover.pk}/large-jpeg/")
    assert links[0].get("type") == "image/jpeg"
    assert int(links[0].get("length")) > 0
    assert entry.find(f"{MEDIA}content").get("url") == links[0].get("href")


@time_machine.travel(NOW, tick=False)
def test_without_a_cover_the_first_photo_leads_and_a_release_without_photos_has_no_enclosure(client):
    with_photos = EventFactory(title="With photos", publish_at=NOW - timedelta(hours=1))
    first = PhotoFactory(event=with_photos, position=0)
    PhotoFactory(event=with_photos, position=1)
    EventFactory(title="No photos", publish_at=NOW - timedelta(hours=2))

    items = feed_xml(client, "feed-rss").findall("channel/item")

    assert [item.find("title").text for item in items] == ["With photos", "No photos"]
    assert f"/files/{first.pk}/" in items[0].find("enclosure").get("url")
    assert items[1].find("enclosure") is None
    assert items[1].find(f"{MEDIA}content") is None


@time_machine.travel(NOW, tick=False)
def test_a_photo_still_processing_is_not_announced(client):
    event = EventFactory(publish_at=NOW - timedelta(hours=1))
    photo = PhotoFactory(event=event)
    Attachment.objects.filter(pk=photo.pk).update(state=Attachment.State.PROCESSING)

    item = feed_xml(client, "feed-rss").find("channel/item")

    assert item.find("enclosure") is None


@time_machine.travel(NOW, tick=False)
def test_atom_updated_is_distinct_per_entry_and_the_feed_updated_is_the_latest_of_them(client):
    batch = NOW - timedelta(hours=2)
    for number in range(3):
        EventFactory(title=f"Batch {number}", publish_at=batch)
    corrected = EventFactory(title="Corrected", publish_at=NOW - timedelta(days=1))
    corrected.public_updated_at = NOW - timedelta(minutes=30)
    corrected.save()

    feed = feed_xml(client, "feed-atom")

    entries = {
        entry.find(f"{ATOM}title").text: entry.find(f"{ATOM}updated").text for entry in feed.findall(f"{ATOM}entry")
    }
    updated = [datetime.fromisoformat(value) for value in entries.values()]
    assert len(set(updated)) == 4
    # The first entry of the batch keeps the true time; the others differ by microseconds, never by more.
    assert datetime.fromisoformat(entries["Batch 2"]) == batch
    assert all(batch <= datetime.fromisoformat(entries[f"Batch {n}"]) < batch + timedelta(seconds=1) for n in range(3))
    assert datetime.fromisoformat(entries["Corrected"]) == NOW - timedelta(minutes=30)
    assert datetime.fromisoformat(feed.find(f"{ATOM}updated").text) == max(updated) == NOW - timedelta(minutes=30)


@time_machine.travel(NOW, tick=False)
def test_entries_already_shown_keep_their_updated_when_older_ones_drop_off(client):
    batch = NOW - timedelta(hours=2)
    for number in range(3):
        EventFactory(title=f"Batch {number}", publish_at=batch)

    def updated_by_title():
        feed = feed_xml(client, "feed-atom")
        return {e.find(f"{ATOM}title").text: e.find(f"{ATOM}updated").text for e in feed.findall(f"{ATOM}entry")}

    before = updated_by_title()
    for minutes in range(48):
        EventFactory(title=f"Newer {minutes}", publish_at=NOW - timedelta(minutes=minutes + 1))
    after = updated_by_title()

    assert "Batch 0" not in after
    assert after["Batch 2"] == before["Batch 2"]
    assert after["Batch 1"] == before["Batch 1"]


@time_machine.travel(NOW, tick=False)
def test_a_photo_rendered_before_sizes_were_recorded_still_states_its_length(client):
    event = EventFactory(publish_at=NOW - timedelta(hours=1))
    photo = PhotoFactory(event=event)
    renditions = {
        size: {key: value for key, value in entry.items() if not key.endswith("_bytes")}
        if isinstance(entry, dict)
        else entry
        for size, entry in photo.renditions.items()
    }
    Attachment.objects.filter(pk=photo.pk).update(renditions=renditions)

    enclosure = feed_xml(client, "feed-rss").find("channel/item/enclosure")

    assert int(enclosure.get("length")) == default_storage.size(photo.renditions["large"]["jpeg"]) > 0
