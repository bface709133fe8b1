"""A press release about one event, and the people, organisations and contacts attached to it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import quote
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from ..sanitize import clean_html
from .directory import Section
from .slugs import SLUG_MAX_LENGTH, shorten_slug


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


# The fields an editor writes on a release, in reading order: the edit form, the revision comparison, a
# revert and a translation all start from this one list (each leaves out what it must, by name).
EDITORIAL_FIELDS = (
    "title", "slug", "section", "kind", "language", "starts_at", "ends_at", "all_day", "location", "time_zone", "lead",
    "body", "organizations", "cover",
)  # fmt: skip


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name the system knows, sorted; the choices of ``Event.time_zone``."""
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def default_time_zone() -> str:
    return settings.TIME_ZONE


def _due(now: datetime | None = None) -> Q:
    """Published, and its publication time has come: "scheduled and now due" written once."""
    return Q(status=Event.Status.PUBLISHED, publish_at__lte=now or timezone.now())


def _in_section(section) -> Q:
    """A section and all its sub-sections, active or not.

    Deactivating a sub-section takes it out of navigation (menus, its own page, its own feeds); it does not
    unpublish what was published in it, so those releases stay in the parent section's page, feeds and
    calendar. The sub-sections are read in a subquery, so this adds no query of its own.
    """
    return Q(section__in=Section.objects.filter(Q(pk=section.pk) | Q(parent=section.pk)).values("pk"))


class EventQuerySet(models.QuerySet):
    def public(self, now: datetime | None = None) -> EventQuerySet:
        """The single definition of what the public may see: published, and due."""
        return self.due(now)

    def due(self, now: datetime | None = None) -> EventQuerySet:
        """Published releases whose publication time has come (the scheduled ones that are due included)."""
        return self.filter(_due(now))

    def scheduled(self, now: datetime | None = None) -> EventQuerySet:
        """Published releases still waiting for their publication time: exactly the published ones not ``due``
        (a published release always has a publication time), written as a range the visibility index walks."""
        return self.filter(status=Event.Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def reachable(self, now: datetime | None = None) -> EventQuerySet:
        """Events whose page answers: the public ones, plus withdrawn ones, which keep a page with a notice."""
        return self.filter(_due(now) | Q(status=Event.Status.WITHDRAWN, first_published_at__isnull=False))

    def in_language(self, language: str) -> EventQuerySet:
        return self.filter(language=language)

    def in_section(self, section) -> EventQuerySet:
        """Releases of ``section`` and of its sub-sections: the one rule of section pages, filters, feeds and
        calendars (see ``_in_section`` for inactive sub-sections)."""
        return self.filter(_in_section(section))

    def on_day(self, day) -> EventQuerySet:
        """Events that take place on ``day`` (a date in the current time zone), multi-day ones included."""
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        end = start + timedelta(days=1)
        return self.overlapping(start, end)

    def overlapping(self, start: datetime, end: datetime) -> EventQuerySet:
        """Events whose time span intersects [start, end).

        Written as two disjoint halves that each match one index: events starting inside the window (a range
        on the start), and events that began earlier and are still running (a range on the partial index of
        multi-day events; an event without an end cannot be running after it began).
        """
        starts_inside = Q(starts_at__gte=start, starts_at__lt=end)
        still_running = Q(ends_at__gte=start, starts_at__lt=start)
        return self.filter(starts_inside | still_running)

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        """Events not over yet (to come, or under way), soonest first.

        "Not over" is an OR over two columns, which no index can walk in start order; without help the
        database reads the whole archive to find the first few. The walk gets a lower bound instead: the start
        of the earliest event of this queryset still under way, or now when none is.

        That bound is looked for among the events not over yet (``ends_at >= now``: the index of multi-day
        events, a few rows however large the archive), and sorted afterwards, so that no plan can read the
        archive for it: it is sorted by an expression no index holds (ordered by the bare column, the database
        may walk the start index from the first release ever, hoping to meet an event under way early), and it
        is taken over every release, not only this queryset's (whose language and visibility indexes would
        tempt the planner into the archive too, when it has no statistics yet). The earliest start among all
        releases under way is at or before the earliest among these: still a lower bound, and the "not over"
        test that follows keeps the result exact.
        """
        now = now or timezone.now()
        unindexed_start = ExpressionWrapper(F("starts_at") + Value(timedelta(0)), output_field=models.DateTimeField())
        under_way = (
            self.model._default_manager.filter(starts_at__lt=now, ends_at__gte=now)
            .order_by(unindexed_start.asc())
            .values("starts_at")[:1]
        )
        since = Coalesce(Subquery(under_way), Value(now, output_field=models.DateTimeField()))
        return (
            self.filter(starts_at__gte=since)
            .filter(Q(starts_at__gte=now) | Q(ends_at__gte=now))
            .order_by("starts_at", "pk")
        )

    def for_listing(self) -> EventQuerySet:
        """What list pages need in one query: the section and the cover photo, without the body text (only
        the page of the release shows it, and it is most of a row's bytes)."""
        return self.select_related("section", "section__parent", "cover").defer("body")

    def for_calendar(self) -> EventQuerySet:
        """Just what a month grid shows and links to, as light named rows (``pk``, ``title``, ``slug``,
        ``language``, ``starts_at``, ``ends_at``, ``time_zone``, which places it on its local days): a busy
        month holds hundreds of events, and building a full model instance with its joins for each was most of
        the calendar's time."""
        fields = ("pk", "title", "slug", "language", "starts_at", "ends_at", "time_zone")
        return self.select_related(None).values_list(*fields, named=True)


class Event(models.Model):
    class Kind(models.TextChoices):
        PRESS_RELEASE = "press_release", _("Press release")
        NEWS = "news", _("News")
        STATEMENT = "statement", _("Statement")
        SPEECH = "speech", _("Speech")
        INTERVIEW = "interview", _("Interview")
        ANNOUNCEMENT = "announcement", _("Announcement")
        PHOTO_REPORT = "photo_report", _("Photo report")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=300, allow_unicode=False)
    section = models.ForeignKey(
        "events.Section", verbose_name=_("section"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRESS_RELEASE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False, help_text=_("Show dates only, no times."))
    location = models.CharField(_("place"), max_length=300, blank=True, help_text=_("E.g. “Moscow, the Kremlin”."))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        help_text=_("The times of this release are entered in the place's own time zone."),
    )
    lead = models.TextField(_("lead"), blank=True, help_text=_("One or two sentences in plain text."))
    body = ProseEditorField(
        _("body"),
        blank=True,
        extensions={
            "Bold": True,
            "Italic": True,
            "Underline": True,
            "Heading": {"levels": [2, 3, 4]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
            "HardBreak": True,
            "History": True,
            "NoSpellCheck": False,  # the library turns the browser's spell-check off unless told not to
        },
        sanitize=clean_html,  # The same allow-list runs again in save(), for writes that skip the form.
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    translation_key = models.UUIDField(
        _("translation key"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Shared by the language versions of one release."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, help_text=_("The release becomes public at this moment.")
    )
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("withdrawal reason"), blank=True, editable=False)
    public_updated_at = models.DateTimeField(_("updated at (public)"), null=True, blank=True, editable=False)
    public_update_note = models.CharField(_("latest change note"), max_length=300, blank=True, editable=False)
    participants = models.ManyToManyField(
        "events.Person",
        verbose_name=_("participants"),
        through="events.EventParticipant",
        related_name="events",
        blank=True,
    )
    organizations = models.ManyToManyField(
        "events.Organization", verbose_name=_("organisations"), related_name="events", blank=True
    )
    press_contacts = models.ManyToManyField(
        "events.Person",
        verbose_name=_("press contacts"),
        through="events.EventPressContact",
        related_name="contact_for_events",
        blank=True,
    )
    cover = models.ForeignKey(
        "events.Attachment",
        verbose_name=_("cover photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        get_latest_by = "starts_at"
        permissions = [
            ("review_event", _("Can review and reject releases")),
            ("publish_event", _("Can publish and schedule releases")),
            ("withdraw_event", _("Can withdraw published releases")),
            ("force_publish_event", _("Can publish own releases with a written reason")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The end must not be before the start."),
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="event_one_version_per_language",
                violation_error_message=_("This release already has a version in that language."),
            ),
            models.UniqueConstraint(
                fields=["language", "slug"],
                name="event_slug_unique_per_language",
                violation_error_message=_("Another release in this language already uses this slug."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="event_published_has_publish_at",
                violation_error_message=_("A published release needs a publication time."),
            ),
        ]
        indexes = [
            # Public lists and the calendar: visible rows ordered or ranged by start.
            models.Index(fields=["status", "publish_at"], name="event_visibility"),
            models.Index(fields=["starts_at", "id"], name="event_starts"),
            models.Index(fields=["section", "starts_at"], name="event_section_starts"),
            models.Index(fields=["language", "starts_at"], name="event_language_starts"),
            # The public lists, newest first, read from the index alone: a deep page skips its offset along
            # this index without visiting the table (publish_at rides along for the "due" test).
            models.Index(
                fields=["language", "starts_at", "id"],
                include=["publish_at"],
                condition=Q(status="published"),
                name="event_published_listing",
            ),
            # The home page's "latest releases": public rows by publication time, newest first.
            models.Index(
                fields=["language", "publish_at", "id"], condition=Q(status="published"), name="event_latest_published"
            ),
            # Multi-day events only (most rows have no end): the calendar's "began earlier, still running"
            # half of an overlap, and the lower bound of upcoming().
            models.Index(
                fields=["ends_at", "starts_at"], condition=Q(ends_at__isnull=False), name="event_multi_day_ends"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body = clean_html(self.body)
        self.lead = (self.lead or "").strip()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The release's page in its own language, whatever language is active (see ``release_url``)."""
        return release_url(slug=self.slug, language=self.language)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def clean(self) -> None:
        # Slugs made before the rule may be longer, and their addresses must keep working (a restored release
        # keeps its own too); a new release's slug, or a changed one, follows the rule.
        changed = self.pk is None or self.slug != getattr(self, "_stored_slug", self.slug)
        if len(self.slug or "") > SLUG_MAX_LENGTH and changed:
            raise ValidationError(
                {
                    "slug": _("A slug can have at most %(max)d characters; “%(short)s” would fit.")
                    % {"max": SLUG_MAX_LENGTH, "short": shorten_slug(self.slug)}
                }
            )

    def is_due(self, now: datetime | None = None) -> bool:
        """``_due`` for one release in memory; a test pins that the two agree."""
        return bool(
            self.status == self.Status.PUBLISHED and self.publish_at and self.publish_at <= (now or timezone.now())
        )

    @property
    def is_public(self) -> bool:
        return self.is_due()

    @property
    def is_scheduled(self) -> bool:
        return bool(self.status == self.Status.PUBLISHED and self.publish_at and not self.is_due())

    @property
    def is_multi_day(self) -> bool:
        if not self.ends_at:
            return False
        return timezone.localdate(self.ends_at) != timezone.localdate(self.starts_at)

    def translations(self) -> EventQuerySet:
        return Event.objects.filter(translation_key=self.translation_key).exclude(pk=self.pk)


_SLUG_MARK = "cso-slug-mark"


@lru_cache(maxsize=64)
def _release_url_pattern(language: str, urlconf, script_prefix: str) -> tuple[str, str]:
    with translation.override(language):
        url = reverse("events:detail", kwargs={"slug": _SLUG_MARK})
    head, _mark, tail = url.partition(_SLUG_MARK)
    return head, tail


def release_url(*, slug: str, language: str) -> str:
    """The one way to build a release's public address: the page in the release's own language.

    Lists link dozens of releases, so the route is reversed once per language and the slug put in its place
    (quoted as ``reverse()`` quotes it).
    """
    head, tail = _release_url_pattern(language, get_urlconf(), get_script_prefix())
    return f"{head}{quote(slug, safe=RFC3986_SUBDELIMS + '/~:@')}{tail}"


class EventParticipant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participant_links")
    person = models.ForeignKey("events.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="participant_once_per_event")]

    def __str__(self) -> str:
        return str(self.person)


class EventPressContact(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="press_contact_links")
    person = models.ForeignKey(
        "events.Person",
        verbose_name=_("press contact"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"is_press_contact": True},
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("press contact")
        verbose_name_plural = _("press contacts")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="press_contact_once_per_event")]

    def __str__(self) -> str:
        return str(self.person)

    def clean(self) -> None:
        if self.person_id and not self.person.is_press_contact:
            raise ValidationError({"person": _("Only people marked as press contacts can be listed here.")})
