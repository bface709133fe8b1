"""What machines read about a public page: its lead image, the facts of its Open Graph card, and its JSON-LD.

Every builder returns plain data (dicts and dataclasses), never markup: ``includes/meta.html`` writes the tags,
and the ``ld_json`` filter writes the JSON-LD safely inside ``<script>``. Addresses are made absolute by the
``absolute`` callable the caller passes (``request.build_absolute_uri``), so nothing here needs a request.

JSON-LD follows schema.org and Google's structured-data guidelines: a release is a ``NewsArticle`` about an
``Event`` (name, dates, description, attendance mode, a ``Place`` with a ``PostalAddress``, performers from the
participants, the office as organiser); people, organisations and the site (``WebSite`` with a
``SearchAction``) have their own nodes, and every page below the home page has a ``BreadcrumbList``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models.fields.files import FieldFile

from ..media.photos import rendition
from ..models import Attachment, Event, Organization, Person
from .identity import site_name
from .times import local_times

Absolute = Callable[[str], str]

SCHEMA = "https://schema.org"
# The Open Graph card size made on upload (events.media.photos: "social").
SHARE_SIZE = "social"
# The copy a feed carries as its enclosure: large enough for a reader's full-width view.
FEED_SIZE = "large"
FEED_FALLBACK_SIZES = ("large", "medium", "thumb")
HEADLINE_LENGTH = 110  # Google shows (and accepts) headlines up to 110 characters


@dataclass(frozen=True)
class ShareImage:
    """One image as a share card or a feed needs it; ``url`` is site-relative."""

    url: str
    width: int | None
    height: int | None
    alt: str
    type: str = "image/jpeg"
    length: int = 0  # bytes; 0 when unknown (RSS allows that)
    caption: str = ""
    credit: str = ""


# The lead photo


def lead_photo(event: Event, photos: list[Attachment]) -> Attachment | None:
    """The picture that stands for a release: its cover when shown, else its first photo in the staff's order."""
    return next((photo for photo in photos if photo.pk == event.cover_id), photos[0] if photos else None)


def lead_photos(events: Iterable[Event]) -> dict[int, Attachment]:
    """``lead_photo`` of every release in ``events`` (by release id), in one query."""
    events = list(events)
    photos: dict[int, list[Attachment]] = {}
    shown = (
        Attachment.objects.shown()
        .filter(event__in=[event.pk for event in events], kind=Attachment.Kind.PHOTO)
        .order_by("event_id", "position", "pk")
    )
    for photo in shown:
        photos.setdefault(photo.event_id, []).append(photo)
    leads = {event.pk: lead_photo(event, photos.get(event.pk, [])) for event in events}
    return {pk: photo for pk, photo in leads.items() if photo is not None}


def rendition_image(photo: Attachment, sizes: Iterable[str]) -> ShareImage | None:
    """The first of ``sizes`` the photo has, as a JPEG with its pixel size and (when known) its byte length."""
    for size in sizes:
        entry = (photo.renditions or {}).get(size)
        found = rendition(photo, size)
        if found is None or not isinstance(entry, dict):
            continue
        return ShareImage(
            url=found.jpeg_url,
            width=found.width,
            height=found.height,
            alt=photo.alt_text,
            length=entry.get("jpeg_bytes") or _stored_size(photo, entry["jpeg"]),
            caption=photo.caption,
            credit=photo.credit,
        )
    return None


def _stored_size(photo: Attachment, name: str) -> int:
    # Renditions made before their byte length was recorded: ask the storage once (the page cache keeps the
    # answer with the page); a file that went missing is "unknown", not an error page.
    try:
        return photo.file.storage.size(name)
    except (OSError, ValueError):
        return 0


def share_image_of_photo(photo: Attachment | None) -> ShareImage | None:
    """The Open Graph image of a release: the social crop of its lead photo (or its largest copy)."""
    if photo is None:
        return None
    return rendition_image(photo, (SHARE_SIZE, *FEED_FALLBACK_SIZES))


def feed_image(photo: Attachment | None) -> ShareImage | None:
    """A feed item's enclosure: the lead photo's large public copy."""
    return rendition_image(photo, FEED_FALLBACK_SIZES) if photo is not None else None


def share_image_of_picture(picture: FieldFile | None, alt: str) -> ShareImage | None:
    """A person's photo or an organisation's logo (public files); its pixel size when the file can be read."""
    if not picture:
        return None
    try:
        width, height = picture.width, picture.height
    except (OSError, ValueError):
        width = height = None
    content_type = {"png": "image/png", "webp": "image/webp"}.get(picture.name.rsplit(".", 1)[-1].lower())
    return ShareImage(url=picture.url, width=width, height=height, alt=alt, type=content_type or "image/jpeg")


# JSON-LD nodes


def office_node(absolute: Absolute, home_url: str) -> dict:
    """The press office itself: the publisher of every release."""
    return {"@type": "Organization", "name": site_name(), "url": absolute(home_url)}


def website_node(absolute: Absolute, *, home_url: str, search_url: str, language: str) -> dict:
    """The site, with the search box search engines may offer (``{search_term_string}`` is Google's name)."""
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": site_name(),
        "url": absolute(home_url),
        "inLanguage": language,
        "publisher": office_node(absolute, home_url),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": absolute(search_url) + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_list(absolute: Absolute, crumbs: list[tuple[str, str]]) -> dict:
    """``crumbs`` are (name, site-relative address) from the home page down to the page itself."""
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": absolute(url)}
            for number, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def _organization_ref(absolute: Absolute, organization: Organization) -> dict:
    node = {
        "@type": "Organization",
        "name": organization.display_name,
        "url": absolute(organization.get_absolute_url()),
    }
    if organization.short_name:
        node["alternateName"] = organization.short_name
    return node


def _person_ref(absolute: Absolute, person: Person) -> dict:
    node = {"@type": "Person", "name": person.display_name, "url": absolute(person.get_absolute_url())}
    if person.display_position:
        node["jobTitle"] = person.display_position
    if person.organization_id:
        node["affiliation"] = _organization_ref(absolute, person.organization)
    return node


def person_node(absolute: Absolute, person: Person, image: ShareImage | None) -> dict:
    node = {"@context": SCHEMA, **_person_ref(absolute, person)}
    if person.organization_id:
        node["worksFor"] = node.pop("affiliation")
    if image is not None:
        node["image"] = absolute(image.url)
    if person.is_press_contact and person.email:
        node["email"] = person.email
    return node


def organization_node(absolute: Absolute, organization: Organization, image: ShareImage | None) -> dict:
    node = {"@context": SCHEMA, **_organization_ref(absolute, organization)}
    if organization.description:
        node["description"] = organization.description
    if organization.website:
        node["sameAs"] = [organization.website]
    if image is not None:
        node["logo"] = absolute(image.url)
    if organization.parent_id:
        node["parentOrganization"] = _organization_ref(absolute, organization.parent)
    return node


def release_images(absolute: Absolute, photos: list[Attachment], lead: Attachment | None) -> list[str]:
    """Up to three pictures of a release, the lead photo first; each its social crop and its large copy
    (Google prefers several aspect ratios of at least 1,200 pixels' width)."""
    ordered = [lead, *(photo for photo in photos if photo is not lead)] if lead is not None else photos
    urls = []
    for photo in ordered[:3]:
        for sizes in ((SHARE_SIZE,), FEED_FALLBACK_SIZES):
            image = rendition_image(photo, sizes)
            if image is not None and absolute(image.url) not in urls:
                urls.append(absolute(image.url))
    return urls


def event_node(
    absolute: Absolute, event: Event, *, url: str, images: list[str], participants: list[Person], organizer: dict
) -> dict | None:
    """The event a release reports, or None when it names no place (a place is what makes it an event for
    search engines; a statement from the office is only an article)."""
    if not event.location:
        return None
    times = local_times(event)  # the venue's own clock, with its offset
    node = {
        "@type": "Event",
        "name": event.title,
        "startDate": times.start.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        # The place is free text ("Moscow, the Kremlin"): the address says it as written, never guessed apart.
        "location": {
            "@type": "Place",
            "name": event.location,
            "address": {"@type": "PostalAddress", "streetAddress": event.location},
        },
        "url": url,
        "organizer": organizer,
    }
    if times.end:
        node["endDate"] = times.end.isoformat()
    if event.lead:
        node["description"] = event.lead
    if images:
        node["image"] = images
    if participants:
        node["performer"] = [_person_ref(absolute, person) for person in participants]
    return node


def news_article(
    absolute: Absolute,
    event: Event,
    *,
    photos: list[Attachment],
    participants: list[Person],
    organizations: list[Organization],
    home_url: str,
) -> dict:
    """The JSON-LD of a release page."""
    url = absolute(event.get_absolute_url())
    office = office_node(absolute, home_url)
    images = release_images(absolute, photos, lead_photo(event, photos))
    article = {
        "@context": SCHEMA,
        "@type": "NewsArticle",
        "headline": event.title[:HEADLINE_LENGTH],
        "description": event.lead,
        "inLanguage": event.language,
        "url": url,
        "mainEntityOfPage": url,
        "articleSection": event.section.display_name,
        "publisher": office,
        "author": office,
    }
    if event.publish_at:
        article["datePublished"] = event.publish_at.isoformat()
        article["dateModified"] = (event.public_updated_at or event.publish_at).isoformat()
    if images:
        article["image"] = images
    happening = event_node(absolute, event, url=url, images=images, participants=participants, organizer=office)
    if happening is not None:
        article["about"] = happening
    if organizations:
        article["mentions"] = [_organization_ref(absolute, organization) for organization in organizations]
    return article
