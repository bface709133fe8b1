"""iCalendar (RFC 5545) downloads of public events, made with the ``icalendar`` library.

Times are written in the site's time zone with a VTIMEZONE block (or as UTC when that zone is UTC), so a
calendar app shows the moment the office meant; all-day events are DATE values with the exclusive end
date RFC 5545 asks for. UIDs are derived from the release's translation key and language, so an edited
release updates the entry in subscribers' calendars instead of duplicating it.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Event, EventQuerySet, Section
from .selectors.identity import site_name

# Subscriptions get the past year and everything ahead, never an unbounded dump.
CALENDAR_PAST_DAYS = 365
CALENDAR_MAX_EVENTS = 500
CONTENT_TYPE = "text/calendar; charset=utf-8"


def site_host() -> str:
    """The office's own host name, for identifiers that must not depend on how a request arrived."""
    return urlsplit(settings.CSO_SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    return f"event-{event.translation_key}-{event.language}@{site_host()}"


def calendar_events(section: Section | None = None) -> EventQuerySet:
    """Public events in the current language from a year ago onwards, soonest first, capped."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    events = (
        Event.objects.public()
        .in_language(translation.get_language())
        .filter(Q(starts_at__gte=since) | Q(ends_at__gte=since))
        .select_related("section")
    )
    if section is not None:
        events = events.in_section(section)
    return events.order_by("starts_at", "pk")[:CALENDAR_MAX_EVENTS]


def _vevent(event: Event, request: HttpRequest) -> icalendar.Event:
    zone = timezone.get_default_timezone()
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    changed = event.public_updated_at or event.publish_at or event.updated_at
    vevent.add("dtstamp", changed.astimezone(UTC))
    vevent.add("last-modified", changed.astimezone(UTC))
    # Clients replace their copy when SEQUENCE grows; the release's version counts its edits from 1.
    vevent.add("sequence", max(event.version - 1, 0))
    if event.all_day:
        first_day = timezone.localtime(event.starts_at, zone).date()
        last_day = timezone.localtime(event.ends_at, zone).date() if event.ends_at else first_day
        vevent.add("dtstart", first_day)
        vevent.add("dtend", max(last_day, first_day) + timedelta(days=1))
    else:
        vevent.add("dtstart", timezone.localtime(event.starts_at, zone))
        if event.ends_at and event.ends_at > event.starts_at:
            vevent.add("dtend", timezone.localtime(event.ends_at, zone))
    vevent.add("summary", event.title)
    if event.lead:
        vevent.add("description", event.lead)
    if event.location:
        vevent.add("location", event.location)
    vevent.add("url", request.build_absolute_uri(event.get_absolute_url()))
    with translation.override(event.language):
        vevent.add("categories", [event.section.display_name])
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    return vevent


def build_calendar(events, *, name: str, request: HttpRequest) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.CSO_SITE_NAME}//cso_press//{translation.get_language().upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # NAME is written as it is given (not escaped like SUMMARY): a title typed with a line break would make an
    # invalid content line, so the calendar's name is kept on one line.
    name = " ".join(name.split())
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(timezone.get_default_timezone()))
    for event in events:
        calendar.add_component(_vevent(event, request))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _response(content: bytes, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def calendar_ics(request: HttpRequest) -> HttpResponse:
    name = _("%(site)s: events") % {"site": site_name()}
    content = build_calendar(calendar_events(), name=name, request=request)
    return _response(content, f"events-{translation.get_language()}.ics", download=False)


def section_ics(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.active(), slug=slug)
    name = _("%(site)s: %(section)s") % {"site": site_name(), "section": section.display_name}
    content = build_calendar(calendar_events(section), name=name, request=request)
    return _response(content, f"{section.slug}-{translation.get_language()}.ics", download=False)


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event, as a download for "Add to calendar"; the current language's version wins a slug clash."""
    current_language_first = Case(
        When(language=translation.get_language(), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    event = Event.objects.public().filter(slug=slug).select_related("section").order_by(current_language_first).first()
    if event is None:
        raise Http404("No such event.")
    content = build_calendar([event], name=event.title, request=request)
    local_day = timezone.localtime(event.starts_at).date()
    return _response(content, f"{local_day:%Y-%m-%d}-{event.slug}.ics", download=True)
