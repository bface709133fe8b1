"""RSS 2.0 and Atom feeds of the latest public releases, for the whole site and per section.

A feed lists releases in the language of its URL (``/en/…`` or ``/ru/…``): a reader subscribed to the
English feed wants English texts, and the two versions of one release are different entries anyway.

An item carries its release's lead photo (``selectors.structured_data.lead_photo``: the cover, else the first
photo) as an RSS enclosure or an Atom ``link rel="enclosure"`` with its length and type, and as Media RSS
``media:content`` with its pixel size, alt text and credit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

from .ics import site_host
from .models import Event, EventQuerySet, Section
from .selectors.identity import site_name
from .selectors.structured_data import ShareImage, feed_image, lead_photos
from .selectors.times import local_times

FEED_SIZE = 50
MEDIA_NAMESPACE = "http://search.yahoo.com/mrss/"


def feed_events(section: Section | None = None) -> EventQuerySet:
    """The newest public releases in the current language; a section's feed includes its sub-sections."""
    events = (
        Event.objects.public()
        .in_language(translation.get_language())
        .select_related("section")
        # An item shows the lead, never the body: leaving it out spares fetching fifty whole releases.
        .defer("body")
    )
    if section is not None:
        events = events.in_section(section)
    return events.order_by("-publish_at", "-pk")[:FEED_SIZE]


def distinct_updates(events: list[Event]) -> None:
    """Give each item its ``feed_updated``: its last public change, made distinct within the feed.

    Releases published together (a scheduled batch) share one instant, and readers that key on ``updated`` then
    merge or reorder them. Each further item of such a group (in feed order) is moved by one microsecond per
    earlier member: the first keeps its true time, and items already shown never move when the oldest drop off
    the end of the feed.
    """
    seen: Counter[datetime] = Counter()
    taken: set[datetime] = set()
    for event in events:
        base = event.public_updated_at or event.publish_at
        moment = base + timedelta(microseconds=seen[base])
        while moment in taken:
            seen[base] += 1
            moment = base + timedelta(microseconds=seen[base])
        seen[base] += 1
        taken.add(moment)
        event.feed_updated = moment


def prepared(events: EventQuerySet) -> list[Event]:
    """The feed's items with their lead image and distinct update time (one query for all the photos)."""
    items = list(events)
    photos = lead_photos(items)
    for item in items:
        item.lead_image = feed_image(photos.get(item.pk))
    distinct_updates(items)
    return items


def write_media_content(handler, image: ShareImage) -> None:
    """Media RSS for the lead photo: the picture, its size, and what it shows (the alt text) and whose it is."""
    attributes = {"url": image.url, "type": image.type, "medium": "image"}
    if image.width and image.height:
        attributes.update(width=str(image.width), height=str(image.height))
    if image.length:
        attributes["fileSize"] = str(image.length)
    handler.startElement("media:content", attributes)
    if image.alt:
        handler.addQuickElement("media:description", image.alt, {"type": "plain"})
    if image.credit:
        handler.addQuickElement("media:credit", image.credit)
    handler.endElement("media:content")


class MediaRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("lead_image"):
            write_media_content(handler, item["lead_image"])


class MediaAtomFeed(Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("lead_image"):
            write_media_content(handler, item["lead_image"])


def item_summary(item: Event) -> str:
    """The HTML an item's description holds: the lead, then when and where (escaped, in the current language)."""
    when = local_times(item).text
    where = f", {escape(item.location)}" if item.location else ""
    lead = f"<p>{escape(item.lead)}</p>\n" if item.lead else ""
    return f"{lead}<p>{escape(when)}{where}</p>\n"


class LatestEventsFeed(Feed):
    feed_type = MediaRssFeed

    def __call__(self, request, *args, **kwargs):
        # Django's Feed.__call__, except that the XML is written into a string first. The generator writes it
        # in ~1,700 pieces: written into the response, each cost an encode and left a chunk that a WSGI server
        # sends with its own system call (and the page cache would store and replay). One body, one write.
        feedgen = self.get_feed(self.get_object(request, *args, **kwargs), request)
        response = HttpResponse(feedgen.writeString("utf-8"), content_type=feedgen.content_type)
        # For conditional GETs (304 Not Modified), as Django sets it for feeds with item dates.
        response.headers["Last-Modified"] = http_date(feedgen.latest_post_date().timestamp())
        return response

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django makes an item's link absolute but not its enclosures: a reader needs the whole address.
        for item in feed.items:
            image = item.get("lead_image")
            if image is not None:
                absolute = request.build_absolute_uri(image.url)
                item["lead_image"] = replace(image, url=absolute)
                item["enclosures"] = [Enclosure(absolute, str(image.length), image.type)]
        return feed

    def title(self):
        return _("%(site)s: latest releases") % {"site": site_name()}

    def description(self):
        return _("Press releases, statements and news from %(site)s.") % {"site": site_name()}

    def link(self):
        return reverse("events:list")

    def feed_url(self):
        return reverse("events:feed-rss")

    def author_name(self):
        return site_name()

    def author_link(self):
        return settings.CSO_SITE_URL

    def items(self):
        return prepared(feed_events())

    def item_title(self, item: Event) -> str:
        return item.title

    def item_description(self, item: Event) -> str:
        # Written in Python: a template per item was a third of a 50-item feed's time.
        return item_summary(item)

    def item_link(self, item: Event) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Event) -> str:
        # A tag URI outlives slug and date changes; created_at never moves.
        return f"tag:{site_host()},{item.created_at:%Y-%m-%d}:event-{item.translation_key}-{item.language}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event):
        return item.publish_at

    def item_updateddate(self, item: Event):
        return item.feed_updated

    def item_enclosures(self, item: Event) -> list[Enclosure]:
        image = item.lead_image
        return [Enclosure(image.url, str(image.length), image.type)] if image else []

    def item_extra_kwargs(self, item: Event) -> dict:
        return {"lead_image": item.lead_image}

    def item_author_name(self, item: Event) -> str:
        return site_name()

    def item_author_link(self, item: Event) -> str:
        return settings.CSO_SITE_URL

    def item_categories(self, item: Event) -> list[str]:
        return [item.section.display_name]


class LatestEventsAtomFeed(LatestEventsFeed):
    feed_type = MediaAtomFeed

    def subtitle(self):
        return self.description()

    def feed_url(self):
        return reverse("events:feed-atom")


class SectionEventsFeed(LatestEventsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section.objects.active(), slug=slug)

    def title(self, obj: Section):
        return _("%(site)s: %(section)s") % {"site": site_name(), "section": obj.display_name}

    def description(self, obj: Section):
        return _("The latest releases in the section “%(section)s”.") % {"section": obj.display_name}

    def link(self, obj: Section):
        return obj.get_absolute_url()

    def feed_url(self, obj: Section):
        return reverse("events:section-feed-rss", kwargs={"slug": obj.slug})

    def items(self, obj: Section):
        return prepared(feed_events(obj))


class SectionEventsAtomFeed(SectionEventsFeed):
    feed_type = MediaAtomFeed

    def subtitle(self, obj: Section):
        return self.description(obj)

    def feed_url(self, obj: Section):
        return reverse("events:section-feed-atom", kwargs={"slug": obj.slug})
