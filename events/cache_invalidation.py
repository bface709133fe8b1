"""A committed change makes obsolete the cached pages that show it, and only those.

Each change is turned into the cache tags of the pages showing it (``page_cache.page_tags`` gives the other
side: the tags each page carries); after the commit those tags get new versions in one statement, and the
process that committed sends them to the shared HTTP caches in front (only when CSO_CACHE_PURGE_URLS is set), a
cache that fails being left to the task ``cache.purge_tags``, which tries again.

What a change drops:
- a release nobody can see (draft, in review, scheduled and not yet due, withdrawn before it ever came out):
  nothing. Its publication time is the one thing that matters: when it is scheduled, or moved, the next
  publication is worked out again, and if it now comes out before a cached page would expire, every page
  (``schedule``) goes, since any of them may list it at that minute;
- a release that can be seen, before or after the change (published and due, or withdrawn and keeping its
  notice page): its page and its translations' (language links), its section and the parent section, its
  people and organisations (their pages, and releases showing them, which list "other events"), and the
  lists: home, All events, calendar, upcoming, feeds, sitemap, search, and the indexes of people and
  organisations (who has a public release);
- only its translation link: the pages of the releases linked or unlinked;
- a photo or document of a release that can be seen: that release's page; its cover (or its first photo
  when it has none, which feeds and previews use) also the lists that show the release;
- a person (or a phone number), an organisation, a section: its own page and the pages listing its name;
- the office's identity: every page (``site``).

The new versions are written *after* the commit, in their own statement, rather than inside the changing
transaction: inside, editorial writes would hold the tag rows' locks until their commit, queueing editors
behind each other. Nothing is lost in correctness: a page made between the commit and the new versions shows
the new content, and is filed under the old versions, which are never current again.
"""

from __future__ import annotations

import logging
from urllib.request import Request, urlopen

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import (
    Attachment,
    Event,
    EventParticipant,
    EventPressContact,
    Organization,
    Person,
    PhoneNumber,
    Section,
    SiteIdentity,
)
from .page_cache import (
    ALL_EVENTS_LIST,
    ALL_TAG,
    CALENDAR_LIST,
    FEEDS_LIST,
    HOME_LIST,
    ORGANISATIONS_LIST,
    PEOPLE_LIST,
    SCHEDULE_TAG,
    SEARCH_LIST,
    SECTIONS_LIST,
    SITE_TAG,
    SITEMAP_LIST,
    UPCOMING_LIST,
    bump_content_version,
    drop_tags,
    organisation_tag,
    person_tag,
    release_tag,
    schedule_changed,
    section_tag,
)

logger = logging.getLogger(__name__)

PURGE_TASK = "cache.purge_tags"

# Records that never show on a public page (and the versions themselves).
IGNORED = {"AuditLogEntry", "EmbargoLink", "TrashedEventContent", "ContentVersion", "CacheTagVersion", "ArchiveJob"}
# The lists showing every public release.
RELEASE_LISTS = frozenset(
    {
        HOME_LIST,
        ALL_EVENTS_LIST,
        CALENDAR_LIST,
        UPCOMING_LIST,
        FEEDS_LIST,
        SITEMAP_LIST,
        SEARCH_LIST,
        PEOPLE_LIST,
        ORGANISATIONS_LIST,
    }
)
# The lists showing a release's cover photo (rows with a thumbnail; feeds' enclosures).
COVER_LISTS = frozenset({HOME_LIST, ALL_EVENTS_LIST, UPCOMING_LIST, FEEDS_LIST, SEARCH_LIST})
# A release's fields no public page shows: changing only these drops nothing.
UNSHOWN_FIELDS = frozenset({"submitted_by_id", "created_by_id", "updated_by_id", "created_at", "updated_at", "version"})
SHOWN_FIELDS = tuple(field.attname for field in Event._meta.concrete_fields if field.attname not in UNSHOWN_FIELDS)


# --- What a change shows ----------------------------------------------------------------------------------------


def is_shown(event: Event, now=None) -> bool:
    """Whether a release has a public page: due (``Event.is_due``), or withdrawn after it came out."""
    return event.is_due(now) or bool(event.status == Event.Status.WITHDRAWN and event.first_published_at)


def release_tags(event: Event) -> set[str]:
    """Everything that shows a release that can be seen (see the module's docstring)."""
    tags = {release_tag(event.pk), *RELEASE_LISTS, *_section_tags(event.section_id)}
    tags |= _translation_tags(event)
    tags |= {person_tag(pk) for pk in _people_of(event.pk)}
    organisations = Event.organizations.through.objects.filter(event=event.pk).values_list("organization", flat=True)
    tags |= {organisation_tag(pk) for pk in organisations}
    return tags


def release_cover_tags(event: Event) -> set[str]:
    """The pages showing a release's cover: its own and the lists with its row."""
    tags = {release_tag(event.pk), *COVER_LISTS, *_section_tags(event.section_id)}
    tags |= {person_tag(pk) for pk in _people_of(event.pk)}
    organisations = Event.organizations.through.objects.filter(event=event.pk).values_list("organization", flat=True)
    return tags | {organisation_tag(pk) for pk in organisations}


def _section_tags(section_id: int | None) -> set[str]:
    if not section_id:
        return set()
    parent = Section.objects.filter(pk=section_id).values_list("parent_id", flat=True).first()
    return {section_tag(section_id)} | ({section_tag(parent)} if parent else set())


def _translation_tags(event: Event) -> set[str]:
    others = Event.objects.filter(translation_key=event.translation_key).exclude(pk=event.pk)
    return {release_tag(pk) for pk in others.values_list("pk", flat=True)}


def _people_of(event_id: int) -> set[int]:
    participants = EventParticipant.objects.filter(event=event_id).values_list("person", flat=True)
    contacts = EventPressContact.objects.filter(event=event_id).values_list("person", flat=True)
    return set(participants) | set(contacts)


def release_change_tags(before: dict | None, event: Event, now=None) -> tuple[set[str], bool]:
    """The tags a saved release drops, and whether its publication time changed (``before``: its shown
    fields as stored before the save, None for a new release)."""
    now = now or timezone.now()
    old = Event(**{name: before[name] for name in SHOWN_FIELDS}) if before else None
    was_shown = old is not None and is_shown(old, now)
    shown = is_shown(event, now)
    scheduling = event.is_scheduled and (old is None or not old.is_scheduled or old.publish_at != event.publish_at)
    tags: set[str] = set()
    if scheduling and event.publish_at.timestamp() < now.timestamp() + settings.CSO_PAGE_CACHE_SECONDS:
        tags.add(SCHEDULE_TAG)  # a cached page may outlive the new publication time
    if not (was_shown or shown):
        return tags, scheduling or bool(old and old.is_scheduled and not event.is_scheduled)
    changed = {name for name in SHOWN_FIELDS if old is None or getattr(old, name) != getattr(event, name)}
    if not changed:
        return tags, False
    if changed == {"translation_key"} and was_shown == shown:
        # Linked to (or unlinked from) translations: only the language links of the pages involved change.
        others = Event.objects.filter(translation_key__in={old.translation_key, event.translation_key})
        return tags | {release_tag(pk) for pk in others.values_list("pk", flat=True)}, False
    tags |= release_tags(event)
    if old is not None:
        tags |= _section_tags(old.section_id) | {release_tag(pk) for pk in _old_translations(old, event)}
    return tags, scheduling


def _old_translations(old: Event, event: Event) -> list[int]:
    if old.translation_key == event.translation_key:
        return []
    return list(Event.objects.filter(translation_key=old.translation_key).values_list("pk", flat=True))


def attachment_tags(attachment: Attachment) -> set[str]:
    event = Event.objects.filter(pk=attachment.event_id).first()
    if event is None or not is_shown(event):
        return set()
    is_lead = attachment.kind == Attachment.Kind.PHOTO and event.cover_id in (attachment.pk, None)
    return release_cover_tags(event) if is_lead else {release_tag(event.pk)}


def _linked_release_tags(event_id: int, extra: set[str]) -> set[str]:
    """A person or organisation linked to, or unlinked from, a release: if it can be seen, its set and the
    linked records' own pages."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not is_shown(event):
        return set()
    return release_tags(event) | extra


# --- After the commit -------------------------------------------------------------------------------------------


class _Drop:
    """The tags owed to one transaction's changes: every change queues a call after the commit, and the first
    to run drops the tags of all of them (a call dropped with a savepoint rolled back leaves the others')."""

    def __init__(self) -> None:
        self.tags: set[str] = set()
        self.schedule = False
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            dropped = drop_tags(self.tags)
            if self.schedule and not dropped:
                schedule_changed()
        except DatabaseError:
            # The change itself is committed; the editor must not be told it failed. Cached pages keep their
            # older versions until their lifetime (CSO_PAGE_CACHE_SECONDS at most) ends.
            logger.exception("The cache tags %s could not be dropped after a committed change", sorted(self.tags))
            return
        if dropped and settings.CSO_CACHE_PURGE_URLS:
            send_purge(sorted(dropped))


# The purge made by the process that committed the change waits this long for each cache; one that does not answer
# in time is left to the task, which waits CSO_CACHE_PURGE_TIMEOUT and tries again.
DIRECT_PURGE_TIMEOUT = 1.0


def send_purge(tags: list[str]) -> None:
    """Purge the caches in front from this process, right after the commit: readers see the change on their next
    request, not once a worker gets to a queued task behind the photo and e-mail work that a publication also
    sends. Addresses that fail are left to the task ``cache.purge_tags`` (by name: ``tasks`` sits above this
    module), which tries again; with the broker down too, the failure is logged."""
    failed = []
    for url in settings.CSO_CACHE_PURGE_URLS:
        try:
            _purge(url, tags, timeout=min(DIRECT_PURGE_TIMEOUT, settings.CSO_CACHE_PURGE_TIMEOUT))
        except OSError as error:
            failed.append(url)
            logger.warning("The cache in front at %s could not be purged now (%s); a task will try again", url, error)
    if not failed:
        return
    if PURGE_TASK not in current_app.tasks:
        # Loading the task modules runs Django's checks again: once per process, not once per change.
        current_app.loader.import_default_modules()
    try:
        current_app.tasks[PURGE_TASK].delay(tags)
    except (OSError, OperationalError):
        # The change is committed and the pages here are current; the shared cache keeps its copies until
        # their s-maxage (never past the next scheduled publication).
        logger.exception("The purge of cache tags %s could not be sent", tags)


def renew_all() -> None:
    """Every cached page and kept value made obsolete here, and every page purged from the caches in front: after
    an archive restore, or an upgrade that changes how pages look (``manage.py renew_caches``)."""
    bump_content_version()
    if settings.CSO_CACHE_PURGE_URLS:
        send_purge([ALL_TAG])


def purge_shared_caches(tags: list[str]) -> int:
    """Send ``tags`` to each address of CSO_CACHE_PURGE_URLS (a CSO_CACHE_PURGE_METHOD request, the tags
    space-separated in ``Surrogate-Key``); any failure raises (``OSError``), for the task to try again."""
    for url in settings.CSO_CACHE_PURGE_URLS:
        _purge(url, tags, timeout=settings.CSO_CACHE_PURGE_TIMEOUT)
    return len(settings.CSO_CACHE_PURGE_URLS)


def _purge(url: str, tags: list[str], timeout: float) -> None:
    request = Request(url, method=settings.CSO_CACHE_PURGE_METHOD, headers={"Surrogate-Key": " ".join(tags)})
    # urlopen raises HTTPError (an OSError) for any answer not 2xx/3xx.
    with urlopen(request, timeout=timeout):  # noqa: S310 - addresses from settings
        pass


def owe(tags: set[str], schedule: bool = False) -> None:
    """Drop ``tags`` once the current transaction commits (at once outside one)."""
    if not tags and not schedule:
        return
    owed = getattr(connection, "_cso_owed_drop", None)
    if owed is None or owed.done:
        owed = connection._cso_owed_drop = _Drop()
    owed.tags |= tags
    owed.schedule = owed.schedule or schedule
    # After commit: a reader must not cache the old page under the new versions while the write is in flight.
    transaction.on_commit(owed)


# --- Signal receivers -------------------------------------------------------------------------------------------


def _event_before(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._cso_before = None
        return
    instance._cso_before = Event.objects.filter(pk=instance.pk).values(*SHOWN_FIELDS).first()


def _event_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures and archive restores come in bulk: their loader makes everything obsolete when done
        return
    tags, schedule = release_change_tags(getattr(instance, "_cso_before", None), instance)
    owe(tags, schedule)


def _event_deleting(sender, instance, **kwargs) -> None:
    # Before the delete, while its people and organisations are still linked.
    owe(release_tags(instance) if is_shown(instance) else set(), schedule=instance.is_scheduled)


def _link_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    owe(_linked_release_tags(instance.event_id, {person_tag(instance.person_id)}))


def _event_links_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A release's people or organisations changed through the many-to-many (from either side)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        pk_set = _linked_ids(sender, instance, model)
    tag = organisation_tag if Organization in (type(instance), model) else person_tag
    if reverse:  # from the person's or organisation's side: each release named
        for event_id in pk_set:
            owe(_linked_release_tags(event_id, {tag(instance.pk)}))
        return
    owe(_linked_release_tags(instance.pk, {tag(pk) for pk in pk_set}))


def _linked_ids(through, instance, model) -> set[int]:
    """The ids of ``model`` linked to ``instance`` in the table ``through`` (before a clear)."""
    fields = [field for field in through._meta.concrete_fields if field.is_relation]
    own = next(field for field in fields if field.related_model is type(instance))
    other = next(field for field in fields if field.related_model is model)
    return set(through.objects.filter(**{own.attname: instance.pk}).values_list(other.attname, flat=True))


def _attachment_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    owe(attachment_tags(instance))


def _person_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        owe({person_tag(instance.pk), PEOPLE_LIST})


def _phone_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        owe({person_tag(instance.person_id), PEOPLE_LIST})


def _organisation_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        owe({organisation_tag(instance.pk), ORGANISATIONS_LIST})


def _section_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    # Its page, the parent's page (which lists its sub-sections), and every row and menu with its name. The
    # parent it had before is covered by the rows' tag: its page lists releases, and so carries SECTIONS_LIST.
    parent = {section_tag(instance.parent_id)} if instance.parent_id else set()
    owe({section_tag(instance.pk), SECTIONS_LIST} | parent)


def _site_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        owe({SITE_TAG})


def _anything_changed(sender, raw=False, **kwargs) -> None:
    # A model this module does not know yet: nobody said which pages show it, so all of them go.
    if not raw:
        owe({ALL_TAG})


RECEIVERS = {
    Attachment: _attachment_changed,
    Person: _person_changed,
    PhoneNumber: _phone_changed,
    Organization: _organisation_changed,
    Section: _section_changed,
    SiteIdentity: _site_changed,
    EventParticipant: _link_changed,
    EventPressContact: _link_changed,
}


def connect() -> None:
    pre_save.connect(_event_before, sender=Event, dispatch_uid="cso.page_cache.event.before")
    post_save.connect(_event_saved, sender=Event, dispatch_uid="cso.page_cache.event.save")
    pre_delete.connect(_event_deleting, sender=Event, dispatch_uid="cso.page_cache.event.delete")
    for model in apps.get_app_config("events").get_models():
        name = model.__name__
        if name in IGNORED or name.startswith("Historical") or model is Event:
            continue
        receiver = RECEIVERS.get(model, _anything_changed)
        uid = f"cso.page_cache.{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}.delete")
    for field in Event._meta.many_to_many:
        m2m_changed.connect(
            _event_links_changed,
            sender=field.remote_field.through,
            dispatch_uid=f"cso.page_cache.m2m.{field.name}",
        )
