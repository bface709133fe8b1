"""E-mail alerts for readers: who asked for what, and every message owed to them.

Only what sending needs is stored: the address, the language, the frequency and the digest's time zone, the
topics, and the log of messages. Nothing about a reader's visits is kept.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event, Organization, Person, Section


def new_key() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """One e-mail address. Signed links (confirm, manage, unsubscribe) carry the id and ``key``; a new key
    invalidates every link sent before."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As soon as a release is published")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    key = models.CharField(max_length=64, default=new_key, editable=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    # Set when the reader leaves every topic; the address is erased CSO_ALERTS_ERASE_AFTER_DAYS later.
    left_at = models.DateTimeField(_("left at"), null=True, blank=True, editable=False)
    # The last digest sent (daily or weekly): the next one lists releases public since then.
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [
            models.Index(
                fields=["frequency", "language"],
                condition=Q(confirmed_at__isnull=False, left_at__isnull=True),
                name="subscriber_active",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.left_at is None


class Topic(models.Model):
    """One thing a subscriber follows. ``everything`` has no target; ``filter`` keeps the All events query."""

    class Kind(models.TextChoices):
        EVERYTHING = "everything", _("Everything")
        SECTION = "section", _("Section")
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        FILTER = "filter", _("All events filter")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="topics")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The All events filter's query string, normalised (sorted known parameters only).
    query = models.CharField(_("filter"), max_length=500, blank=True, default="")
    # What makes a topic unique for its subscriber, the same on every database: "everything", "section:12",
    # "person:3", "organisation:7" or "filter:<query>" (set by the service that creates topics).
    target = models.CharField(max_length=520, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "target"], name="topic_once_per_subscriber"),
        ]

    def __str__(self) -> str:
        target = self.section or self.person or self.organisation or self.query
        return f"{self.get_kind_display()}: {target}" if target else str(self.get_kind_display())


class Announcement(models.Model):
    """A release's news owed to readers: its first publication (``update_key`` empty) or a correction the
    editor asked to announce (``update_key`` = that change). Made once; the fan-out makes the deliveries."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        FANNED_OUT = "fanned_out", _("Messages queued")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    update_key = models.CharField(max_length=64, blank=True, default="")
    note = models.CharField(max_length=300, blank=True, default="")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [models.UniqueConstraint(fields=["event", "update_key"], name="announcement_once")]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.update_key or 'first'}"


class Delivery(models.Model):
    """One message owed to one subscriber about one announcement: the unique constraint is what makes sending
    exactly-once (a retried batch finds the row already sent)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        CANCELLED = "cancelled", _("Cancelled")

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Digest subscribers' deliveries wait for their digest; immediate ones go at once.
    in_digest = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True, default="")
    error = models.CharField(max_length=300, blank=True, default="")
    # A batch claims rows by writing its own token here and a lease: a "sending" row whose lease is over was
    # left by a worker that died and may be claimed again. On a "queued" row a lease in the future is the wait
    # before the next try after a temporary refusal (subscriptions/sending.py).
    batch = models.CharField(max_length=32, blank=True, default="", editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["announcement", "subscriber"], name="delivery_once")]
        indexes = [models.Index(fields=["status", "in_digest", "subscriber"], name="delivery_pending")]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.subscriber_id}: {self.status}"


class Suppression(models.Model):
    """An address never to send to again (bounce, complaint, or by hand). Kept as a SHA-256 of the lower-case
    address so the list itself holds no readable addresses once the subscriber is erased."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by staff")

    address_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}… ({self.get_reason_display()})"


class SendingSwitch(models.Model):
    """One row: staff pause and resume all alert sending (queued messages wait while paused)."""

    paused = models.BooleanField(_("sending paused"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("sending switch")
        verbose_name_plural = _("sending switch")

    def __str__(self) -> str:
        return "paused" if self.paused else "sending"
