"""RSS 2.0 and Atom feeds of the latest public releases, for the whole site and per section.

A feed lists releases in the language of its URL (``/en/…`` or ``/ru/…``): a reader subscribed to the
English feed wants English texts, and the two versions of one release are different entries anyway.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

from .ics import site_host
from .models import Event, EventQuerySet, Section
from .selectors.identity import site_name

FEED_SIZE = 50


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


def item_summary(item: Event) -> str:
    """The HTML an item's description holds: the lead, then when and where (escaped, in the current language)."""
    when = formats.date_format(timezone.localtime(item.starts_at), "DATE_FORMAT" if item.all_day else "DATETIME_FORMAT")
    where = f", {escape(item.location)}" if item.location else ""
    lead = f"<p>{escape(item.lead)}</p>\n" if item.lead else ""
    return f"{lead}<p>{escape(when)}{where}</p>\n"


class LatestEventsFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        # Django's Feed.__call__, except that the XML is written into a string first. The generator writes it
        # in ~1,700 pieces: written into the response, each cost an encode and left a chunk that a WSGI server
        # sends with its own system call (and the page cache would store and replay). One body, one write.
        feedgen = self.get_feed(self.get_object(request, *args, **kwargs), request)
        response = HttpResponse(feedgen.writeString("utf-8"), content_type=feedgen.content_type)
        # For conditional GETs (304 Not Modified), as Django sets it for feeds with item dates.
        response.headers["Last-Modified"] = http_date(feedgen.latest_post_date().timestamp())
        return response

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
        return feed_events()

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
        return item.public_updated_at or item.publish_at

    def item_author_name(self, item: Event) -> str:
        return site_name()

    def item_author_link(self, item: Event) -> str:
        return settings.CSO_SITE_URL

    def item_categories(self, item: Event) -> list[str]:
        return [item.section.display_name]


class LatestEventsAtomFeed(LatestEventsFeed):
    feed_type = Atom1Feed

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
        return feed_events(obj)


class SectionEventsAtomFeed(SectionEventsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Section):
        return self.description(obj)

    def feed_url(self, obj: Section):
        return reverse("events:section-feed-atom", kwargs={"slug": obj.slug})
