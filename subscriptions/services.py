"""Every write of the readers' side of e-mail alerts: asking, confirming, changing, leaving, erasing, suppressing.

Views and tasks call these; they never write the models themselves. Sending the messages about releases is the
sending helper's part (fan-out, digests); this module sends only the two messages a reader's own request causes:
the confirmation and, for an address already confirmed, the "manage your alerts" message.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cso_press.metrics import count_mail
from events.filters import EventFilter
from events.models import Organization, Person, Section
from events.selectors.identity import site_identity
from events.selectors.visibility import visible_organizations, visible_people

from . import links
from .addresses import address_hash, normalise
from .models import Delivery, SendingSwitch, Subscriber, Suppression, Topic, new_key
from .selectors import is_suppressed

EVERYTHING = "everything"
# The All events filters a topic may keep (the page's own parameters; the page number is not a filter).
FILTER_NAMES = frozenset(EventFilter.base_filters)


# ---- Topics: the one spelling of what a reader follows -------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A topic not yet stored: its kind, what it points at, and ``value`` (the stored ``Topic.target``)."""

    kind: str
    value: str
    label: str
    section: Section | None = None
    person: Person | None = None
    organisation: Organization | None = None
    query: str = ""


def filter_query(query: str) -> str:
    """An All events query string as a topic keeps it: known filters only, non-empty, the last value of each
    (the one the page reads), sorted by name. "" when nothing is left (that is: everything)."""
    values = {name: value.strip() for name, value in parse_qsl(query, keep_blank_values=False) if name in FILTER_NAMES}
    return urlencode(sorted((name, value) for name, value in values.items() if value))


def _filter_is_valid(query: str) -> bool:
    return EventFilter(QueryDict(query), queryset=None).form.is_valid()


def parse_target(value: str) -> Target | None:
    """The topic named by ``value`` ("everything", "section:12", "person:3", "organisation:7" or
    "filter:<query>"), or None when it names nothing a reader may follow (unknown, inactive, malformed)."""
    kind, _colon, rest = (value or "").strip().partition(":")
    if kind == EVERYTHING and not rest:
        return Target(kind=Topic.Kind.EVERYTHING, value=EVERYTHING, label=gettext("Every release"))
    if kind == Topic.Kind.FILTER:
        query = filter_query(rest)
        if not query:
            return parse_target(EVERYTHING)
        if len(query) > Topic._meta.get_field("query").max_length or not _filter_is_valid(query):
            return None
        return Target(kind=kind, value=f"filter:{query}", label=_filter_label(query), query=query)
    if not rest.isdigit() or len(rest) > 18:
        return None
    if kind == Topic.Kind.SECTION:
        section = Section.objects.active().filter(pk=int(rest)).first()
        if section is None:
            return None
        return Target(kind=kind, value=f"section:{section.pk}", label=section.display_name, section=section)
    if kind == Topic.Kind.PERSON:
        person = visible_people().filter(pk=int(rest)).first()
        if person is None:
            return None
        return Target(kind=kind, value=f"person:{person.pk}", label=person.display_name, person=person)
    if kind == Topic.Kind.ORGANISATION:
        organisation = visible_organizations().filter(pk=int(rest)).first()
        if organisation is None:
            return None
        label = organisation.display_name
        return Target(kind=kind, value=f"organisation:{organisation.pk}", label=label, organisation=organisation)
    return None


def _filter_label(query: str) -> str:
    """A filter topic in words: the All events filters' own labels and the values as chosen."""
    fields = EventFilter.base_filters
    parts = [f"{fields[name].label}: {value}" for name, value in parse_qsl(query)]
    return gettext("All events: %(filters)s") % {"filters": "; ".join(parts)}


def topic_label(topic: Topic) -> str:
    """A stored topic in words, in the active language."""
    target = parse_target(topic.target)
    if target is not None:
        return target.label
    return str(topic)  # a section made inactive since: still shown, so the reader can remove it


def section_targets() -> list[Target]:
    """Every active section as a topic, top-level ones each followed by their sub-sections."""
    sections = list(Section.objects.active().select_related("parent").order_by("position", "name"))
    ordered = [s for s in sections if s.parent_id is None]
    result = []
    for parent in ordered:
        result.append(parent)
        result.extend(s for s in sections if s.parent_id == parent.pk)
    result.extend(s for s in sections if s.parent_id is not None and s not in result)
    return [
        Target(
            kind=Topic.Kind.SECTION,
            value=f"section:{s.pk}",
            label=f"{s.parent.display_name} › {s.display_name}" if s.parent_id else s.display_name,
            section=s,
        )
        for s in result
    ]


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC"))


def _add_topics(subscriber: Subscriber, targets: list[Target]) -> None:
    existing = set(subscriber.topics.values_list("target", flat=True))
    Topic.objects.bulk_create(
        Topic(
            subscriber=subscriber,
            kind=target.kind,
            section=target.section,
            person=target.person,
            organisation=target.organisation,
            query=target.query,
            target=target.value,
        )
        for target in dict.fromkeys(targets)
        if target.value not in existing
    )


# ---- Rate limits ---------------------------------------------------------------------------------------------


def over_limit(scope: str, identity: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one more request for ``identity`` in this window; True once it is beyond ``limit``.

    A fixed window in the cache (add then incr: atomic on Redis and in memory). The identity is hashed, so the
    cache holds no addresses."""
    key = f"cso:alerts:rate:{scope}:{address_hash(identity)}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit


# ---- Asking, confirming ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What a subscribe request led to, for the caller to send after the commit: ``send`` is "confirm",
    "manage" or "" (nothing: suppressed or over the address's limit)."""

    send: str
    subscriber_id: int | None = None
    targets: tuple[str, ...] = ()


def subscription_request(
    *, email: str, targets: list[Target], language: str, frequency: str, time_zone: str
) -> Request:
    """A reader asked for alerts. Nothing is sent to a suppressed address or one asked for too often; an
    address already confirmed is not changed here: it is sent a link to its manage page with the topics
    ticked (it may belong to someone else); anyone else gets (again) a confirmation message."""
    address = normalise(email)
    if is_suppressed(address) or over_limit("address", address, settings.CSO_ALERTS_ADDRESS_LIMIT):
        return Request(send="")
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=address).first()
        if subscriber is not None and subscriber.is_active:
            return Request(send="manage", subscriber_id=subscriber.pk, targets=tuple(t.value for t in targets))
        now = timezone.now()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=address, language=language, frequency=frequency, time_zone=time_zone, created_at=now
                    )
            except IntegrityError:  # the same address asked twice at once: the other request answers it
                return Request(send="")
        else:
            if subscriber.left_at is not None:
                # Someone asks again for an address that left: a fresh start, confirmed anew, no old topics.
                subscriber.topics.all().delete()
                subscriber.key = new_key()
                subscriber.left_at = None
            subscriber.language, subscriber.frequency, subscriber.time_zone = language, frequency, time_zone
            # "Asked at" moves with each confirmation message, so the sweep leaves the address until its
            # newest link has expired.
            subscriber.created_at = now
            subscriber.confirmed_at = None
            subscriber.full_clean()
            subscriber.save()
        _add_topics(subscriber, targets)
    return Request(send="confirm", subscriber_id=subscriber.pk)


def subscriber_confirm(*, subscriber: Subscriber) -> Subscriber:
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def _site_name() -> str:
    # The office's name as its pages show it (the same identity the site header reads).
    return site_identity().name


def _send(subscriber: Subscriber, template: str, subject: str, context: dict) -> None:
    context = {**context, "subscriber": subscriber, "site_name": _site_name(), "language": subscriber.language}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"subscriptions/mail/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    )
    message.attach_alternative(render_to_string(f"subscriptions/mail/{template}.html", context), "text/html")
    message.send()
    count_mail("sent")


def confirmation_send(*, subscriber_id: int) -> bool:
    """The confirmation message, in the subscriber's language. False (nothing sent) when the address is gone,
    already confirmed, or suppressed since it asked: running twice sends a second link, never to a stranger."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at__isnull=True, left_at__isnull=True).first()
    if subscriber is None or is_suppressed(subscriber.email):
        return False
    with translation.override(subscriber.language):
        topics = [topic_label(topic) for topic in subscriber.topics.order_by("pk")]
        context = {
            "topics": topics,
            "confirm_url": links.absolute_link(links.CONFIRM, subscriber),
            "days": settings.CSO_ALERTS_CONFIRM_DAYS,
        }
        _send(subscriber, "confirm", gettext("Confirm your e-mail alerts"), context)
    return True


def manage_link_send(*, subscriber_id: int, targets: list[str]) -> bool:
    """For an address already receiving alerts that was entered again: a link to its manage page with the
    asked-for topics ticked but not yet saved (the one who asked may not own the address)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at__isnull=False, left_at__isnull=True).first()
    if subscriber is None or is_suppressed(subscriber.email):
        return False
    with translation.override(subscriber.language):
        parsed = [target for target in map(parse_target, targets) if target is not None]
        token = links.make_token(links.MANAGE, subscriber)
        site = settings.CSO_SITE_URL.rstrip("/")
        add_urls = [
            (target.label, site + reverse("subscriptions:manage-add", kwargs={"token": token, "target": target.value}))
            for target in parsed
        ]
        context = {"add_urls": add_urls, "manage_url": links.absolute_link(links.MANAGE, subscriber)}
        _send(subscriber, "manage", gettext("Your e-mail alerts"), context)
    return True


# ---- Changing, leaving, erasing -------------------------------------------------------------------------------


def preferences_update(
    *, subscriber: Subscriber, targets: list[Target], language: str, frequency: str, time_zone: str
) -> Subscriber:
    """The manage page saved: exactly these topics, this language, frequency and time zone."""
    with transaction.atomic():
        subscriber.language, subscriber.frequency, subscriber.time_zone = language, frequency, time_zone
        subscriber.full_clean()
        subscriber.save(update_fields=["language", "frequency", "time_zone"])
        keep = [target.value for target in targets]
        subscriber.topics.exclude(target__in=keep).delete()
        _add_topics(subscriber, targets)
    return subscriber


def subscriber_leave(*, subscriber: Subscriber) -> Subscriber:
    """Leave every topic at once: nothing more is sent (queued messages are cancelled), every link sent before
    stops working (a new key), and the address is erased CSO_ALERTS_ERASE_AFTER_DAYS later by the sweep."""
    with transaction.atomic():
        subscriber.left_at = timezone.now()
        subscriber.key = new_key()
        subscriber.save(update_fields=["left_at", "key"])
        subscriber.topics.all().delete()
        subscriber.deliveries.filter(status=Delivery.Status.QUEUED).update(status=Delivery.Status.CANCELLED)
    return subscriber


def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete the address and everything about it now (topics and the log of messages go with it)."""
    subscriber.delete()


def subscriber_data(subscriber: Subscriber, *, latest_messages: int | None = None) -> dict:
    """Everything held about a subscriber, as its download gives it (the manage page shows only the
    ``latest_messages`` newest messages, and their count)."""
    deliveries = subscriber.deliveries.select_related("announcement__event").order_by("-queued_at")
    if latest_messages is not None:
        deliveries = deliveries[:latest_messages]
    return {
        "email": subscriber.email,
        "language": subscriber.language,
        "frequency": subscriber.frequency,
        "time_zone": subscriber.time_zone,
        "asked_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "left_at": subscriber.left_at.isoformat() if subscriber.left_at else None,
        "last_digest_at": subscriber.last_digest_at.isoformat() if subscriber.last_digest_at else None,
        "topics": [
            {"topic": topic_label(topic), "since": topic.created_at.isoformat()}
            for topic in subscriber.topics.order_by("pk")
        ],
        "message_count": subscriber.deliveries.count(),
        "messages": [
            {
                "release": delivery.announcement.event.title,
                "status": delivery.status,
                "status_label": str(delivery.get_status_display()),
                "queued_at": delivery.queued_at.isoformat(),
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            }
            for delivery in deliveries
        ],
    }


def subscribers_sweep(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete addresses never confirmed within CSO_ALERTS_CONFIRM_DAYS and erase those that left more than
    CSO_ALERTS_ERASE_AFTER_DAYS ago. Returns (unconfirmed deleted, left erased); safe to run twice."""
    now = now or timezone.now()
    unconfirmed = Subscriber.objects.filter(
        confirmed_at__isnull=True,
        left_at__isnull=True,
        created_at__lt=now - timedelta(days=settings.CSO_ALERTS_CONFIRM_DAYS),
    )
    left = Subscriber.objects.filter(left_at__lt=now - timedelta(days=settings.CSO_ALERTS_ERASE_AFTER_DAYS))
    unconfirmed_count = unconfirmed.count()
    unconfirmed.delete()
    left_count = left.count()
    left.delete()
    return unconfirmed_count, left_count


# ---- Suppression, the sending switch -----------------------------------------------------------------------


def suppression_add(*, address: str, reason: str, note: str = "") -> Suppression:
    """Never send to this address again (stored as its hash); unsent messages to it are cancelled."""
    with transaction.atomic():
        suppression, _created = Suppression.objects.get_or_create(
            address_hash=address_hash(address), defaults={"reason": reason, "note": note[:200]}
        )
        Delivery.objects.filter(subscriber__email=normalise(address), status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED
        )
    return suppression


# The provider's event types (anymail's normalised names) that mean "never again", and the reason recorded.
TRACKING_REASONS = {
    "bounced": Suppression.Reason.BOUNCE,
    "rejected": Suppression.Reason.BOUNCE,
    "complained": Suppression.Reason.COMPLAINT,
}


def tracking_event_record(*, event_type: str, recipient: str, message_id: str, description: str = "") -> bool:
    """A provider reported a bounce, rejection or complaint: suppress the address and mark the message bounced.
    Other events (delivered, opened, deferred…) change nothing. True when something was recorded."""
    reason = TRACKING_REASONS.get(event_type)
    if reason is None or not recipient:
        return False
    note = f"{event_type}: {description}".strip(": ")
    suppression_add(address=recipient, reason=reason, note=note)
    if message_id:
        Delivery.objects.filter(message_id=message_id).update(status=Delivery.Status.BOUNCED, error=note[:300])
    count_mail("bounced")
    return True


def sending_switch_set(*, paused: bool, user) -> SendingSwitch:
    switch, _created = SendingSwitch.objects.get_or_create(pk=1)
    switch.paused = paused
    switch.changed_at = timezone.now()
    switch.changed_by = user
    switch.save()
    return switch


# ---- Counts for the admin --------------------------------------------------------------------------------------


@dataclass
class TopicCount:
    target: str
    kind: str
    label: str
    counts: dict[str, int]
    total: int

    @property
    def kind_label(self) -> str:
        return str(Topic.Kind(self.kind).label) if self.kind in Topic.Kind.values else self.kind


def topic_counts() -> list[TopicCount]:
    """Confirmed, present subscribers per topic and language: one grouped query (by the topic's ``target``,
    which spells its kind and what it points at), then one query per kind of named topic for the names (not
    per row), whatever the number of subscribers."""
    rows = (
        Topic.objects.filter(subscriber__confirmed_at__isnull=False, subscriber__left_at__isnull=True)
        .values_list("target", "subscriber__language")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_target: dict[str, TopicCount] = {}
    ids: dict[str, set[int]] = {"section": set(), "person": set(), "organisation": set()}
    for target, language, count in rows:
        entry = by_target.get(target)
        if entry is None:
            kind, _colon, rest = target.partition(":")
            entry = by_target[target] = TopicCount(target, kind, "", {}, 0)
            if kind in ids and rest.isdigit():
                ids[kind].add(int(rest))
        entry.counts[language] = entry.counts.get(language, 0) + count
        entry.total += count
    names = {
        "section": {s.pk: s.display_name for s in Section.objects.filter(pk__in=ids["section"])},
        "person": {p.pk: p.display_name for p in Person.objects.filter(pk__in=ids["person"])},
        "organisation": {o.pk: o.display_name for o in Organization.objects.filter(pk__in=ids["organisation"])},
    }
    for entry in by_target.values():
        _kind, _colon, rest = entry.target.partition(":")
        if entry.kind in names:
            entry.label = names[entry.kind].get(int(rest), entry.target) if rest.isdigit() else entry.target
        elif entry.kind == Topic.Kind.FILTER:
            entry.label = _filter_label(rest)
        else:
            entry.label = gettext("Every release")
    return sorted(by_target.values(), key=lambda entry: (-entry.total, entry.label))


def subscriber_totals() -> dict[str, int]:
    """How many addresses are confirmed, waiting for confirmation, and gone (left, not yet erased)."""
    return Subscriber.objects.aggregate(
        confirmed=Count("id", filter=Q(confirmed_at__isnull=False, left_at__isnull=True)),
        waiting=Count("id", filter=Q(confirmed_at__isnull=True, left_at__isnull=True)),
        left=Count("id", filter=Q(left_at__isnull=False)),
    )
