"""iCalendar (RFC 5545) downloads of public events, made with the ``icalendar`` library.

Times are written in each event's own time zone (``Event.time_zone``, read through ``local_times``, the rule
the pages use) with a VTIMEZONE block for every zone used (or as UTC when the zone is UTC), so a calendar app
shows the moment the office meant; all-day events are DATE values with the exclusive end date RFC 5545 asks
for. UIDs are derived from the release's translation key and language, so an edited release updates the
entry in subscribers' calendars instead of duplicating it. Each event names its press contacts (CONTACT),
and the subscription calendars ask clients to refresh every hour (REFRESH-INTERVAL, X-PUBLISHED-TTL).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Event, EventPressContact, PhoneNumber, Section
from .selectors.identity import site_name
from .selectors.times import UTC_NAMES, local_times

# A subscription holds every event still to come (or under way), however many, and the recent past: events of
# the last CALENDAR_PAST_DAYS, at most CALENDAR_MAX_PAST of them, the most recent kept (the oldest dropped
# first). The future is never cut: a subscriber must see what is coming.
CALENDAR_PAST_DAYS = 90
CALENDAR_MAX_PAST = 300
# How often subscribers' apps should fetch the calendar again.
REFRESH_INTERVAL = timedelta(hours=1)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def site_host() -> str:
    """The office's own host name, for identifiers that must not depend on how a request arrived."""
    return urlsplit(settings.CSO_SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    return f"event-{event.translation_key}-{event.language}@{site_host()}"


def contact_prefetch() -> tuple[Prefetch, Prefetch]:
    """What ``CONTACT`` lines read: each event's press contacts in their order, and the contacts' phones."""
    links = EventPressContact.objects.select_related("person").order_by("position", "pk")
    phones = PhoneNumber.objects.order_by("position", "pk")
    return Prefetch("press_contact_links", queryset=links), Prefetch("press_contact_links__person__phones", phones)


def calendar_events(section: Section | None = None, now=None) -> list[Event]:
    """Public events in the current language for a subscription: every upcoming one, and the recent past
    (the last ``CALENDAR_PAST_DAYS`` days, at most ``CALENDAR_MAX_PAST`` events, the oldest dropped first),
    soonest first."""
    now = now or timezone.now()
    events = Event.objects.public(now).in_language(translation.get_language()).select_related("section")
    if section is not None:
        events = events.in_section(section)
    upcoming = events.upcoming(now)
    over = Q(starts_at__lt=now) & (Q(ends_at__isnull=True) | Q(ends_at__lt=now))
    since = now - timedelta(days=CALENDAR_PAST_DAYS)
    recent = Q(starts_at__gte=since) | Q(ends_at__gte=since)
    past = events.filter(over, recent).order_by("-starts_at", "-pk")[:CALENDAR_MAX_PAST]
    found = [*reversed(list(past)), *upcoming]
    # The press contacts of all of them, and their phones, in two queries whatever the count.
    prefetch_related_objects(found, *contact_prefetch())
    return found


def _contact_line(link: EventPressContact, request: HttpRequest, language: str) -> icalendar.vText:
    """One press contact as a CONTACT value (name, position, voice number, e-mail), pointing at its vCard."""
    person = link.person
    with translation.override(language):
        parts = [person.display_name, person.display_position]
        voice = next((phone for phone in person.phones.all() if phone.label != PhoneNumber.Label.FAX), None)
        parts += [voice.international if voice else "", person.email]
        vcard = reverse("events:contact-vcard", kwargs={"slug": person.slug}) if person.is_press_contact else ""
    contact = icalendar.vText(", ".join(part for part in parts if part))
    if vcard:
        contact.params["ALTREP"] = request.build_absolute_uri(vcard)
    return contact


def _vevent(event: Event, request: HttpRequest) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    changed = event.public_updated_at or event.publish_at or event.updated_at
    vevent.add("dtstamp", changed.astimezone(UTC))
    vevent.add("last-modified", changed.astimezone(UTC))
    # Clients replace their copy when SEQUENCE grows; the release's version counts its edits from 1.
    vevent.add("sequence", max(event.version - 1, 0))
    times = local_times(event)
    if event.all_day:
        vevent.add("dtstart", times.first_day)
        vevent.add("dtend", times.last_day + timedelta(days=1))
    else:
        # A UTC event is written with "Z" and needs no VTIMEZONE; any other zone gets its TZID.
        zone = UTC if times.zone.key in UTC_NAMES else times.zone
        vevent.add("dtstart", times.start.astimezone(zone))
        if times.end and times.end > times.start:
            vevent.add("dtend", times.end.astimezone(zone))
    vevent.add("summary", event.title)
    if event.lead:
        vevent.add("description", event.lead)
    if event.location:
        vevent.add("location", event.location)
    vevent.add("url", request.build_absolute_uri(event.get_absolute_url()))
    with translation.override(event.language):
        vevent.add("categories", [event.section.display_name])
    for link in event.press_contact_links.all():
        vevent.add("contact", _contact_line(link, request, event.language))
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "TRANSPARENT")
    return vevent


def build_calendar(events, *, name: str, request: HttpRequest, subscription: bool = False) -> bytes:
    """The calendar of ``events``; a ``subscription`` also tells clients how often to fetch it again."""
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
    if subscription:
        # RFC 7986 REFRESH-INTERVAL, and the older name Outlook and Google read.
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
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
    content = build_calendar(calendar_events(), name=name, request=request, subscription=True)
    return _response(content, f"events-{translation.get_language()}.ics", download=False)


def section_ics(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section.objects.active(), slug=slug)
    name = _("%(site)s: %(section)s") % {"site": site_name(), "section": section.display_name}
    content = build_calendar(calendar_events(section), name=name, request=request, subscription=True)
    return _response(content, f"{section.slug}-{translation.get_language()}.ics", download=False)


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """One event, as a download for "Add to calendar"; the current language's version wins a slug clash."""
    current_language_first = Case(
        When(language=translation.get_language(), then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    found = Event.objects.public().filter(slug=slug).select_related("section").prefetch_related(*contact_prefetch())
    event = found.order_by(current_language_first).first()
    if event is None:
        raise Http404("No such event.")
    content = build_calendar([event], name=event.title, request=request)
    local_day = local_times(event).first_day
    return _response(content, f"{local_day:%Y-%m-%d}-{event.slug}.ics", download=True)
