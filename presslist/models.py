"""The press list: accredited journalists, what was sent to each of them, and their personal embargo links."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.phones import format_international, normalize_phone


class JournalistQuerySet(models.QuerySet):
    def accredited(self, today: date | None = None) -> JournalistQuerySet:
        """Active journalists whose accreditation runs at least until ``today`` (the office's date)."""
        return self.filter(active=True, accredited_until__gte=today or timezone.localdate())

    def reading(self, language: str) -> JournalistQuerySet:
        """Journalists who read ``language`` (first or second)."""
        return self.filter(languages__contains=language)

    def interested_in(self, section) -> JournalistQuerySet:
        """Journalists who follow ``section`` or its parent section, or who chose no section (everything)."""
        followed = [section.pk, *([section.parent_id] if section.parent_id else [])]
        return self.filter(Q(sections__isnull=True) | Q(sections__in=followed)).distinct()


class Journalist(models.Model):
    class Languages(models.TextChoices):
        EN = "en", _("English")
        RU = "ru", _("Russian")
        EN_RU = "en,ru", _("English, then Russian")
        RU_EN = "ru,en", _("Russian, then English")

    name = models.CharField(_("name"), max_length=200)
    outlet = models.CharField(_("outlet"), max_length=200, help_text=_("The newspaper, agency or channel."))
    email = models.EmailField(_("e-mail"), max_length=254)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("With the country code, e.g. +7 495 123-45-67.")
    )
    languages = models.CharField(
        _("languages"),
        max_length=5,
        choices=Languages.choices,
        default=Languages.EN,
        help_text=_("The first language is used for e-mails when the release exists in it."),
    )
    sections = models.ManyToManyField(
        "events.Section",
        verbose_name=_("sections of interest"),
        blank=True,
        related_name="+",
        help_text=_("None: every section."),
    )
    accredited_until = models.DateField(_("accredited until"))
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = JournalistQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("journalist")
        verbose_name_plural = _("journalists")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="presslist_journalist_email_unique",
                violation_error_message=_("A journalist with this e-mail address is already on the list."),
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"), name="presslist_journalist_phone_is_e164"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.outlet})"

    def clean(self) -> None:
        self.email = (self.email or "").strip()
        if self.phone:
            try:
                self.phone = normalize_phone(self.phone)
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from error

    @property
    def language_list(self) -> list[str]:
        return self.languages.split(",")

    @property
    def phone_international(self) -> str:
        return format_international(self.phone) if self.phone else ""

    def mail_language(self, release_language: str) -> str:
        """The first of their languages the release is written in; else their first language."""
        return release_language if release_language in self.language_list else self.language_list[0]

    def is_accredited(self, today: date | None = None) -> bool:
        return self.active and self.accredited_until >= (today or timezone.localdate())


class PressSend(models.Model):
    """One e-mail about one release to one journalist: at most one per (release, journalist, kind)."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published release")
        EMBARGO = "embargo", _("Under embargo")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent: address suppressed")
        CANCELLED = "cancelled", _("Cancelled")

    release = models.ForeignKey(
        "events.Event", verbose_name=_("release"), on_delete=models.CASCADE, related_name="press_sends"
    )
    journalist = models.ForeignKey(
        Journalist, verbose_name=_("journalist"), on_delete=models.CASCADE, related_name="sends"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The journalist's own embargo link (events' machinery: revoking it ends the page and the file grants). An
    # embargo send whose link was deleted in the embargo links list has none left: its personal link is dead.
    embargo_link = models.OneToOneField(
        "events.EmbargoLink",
        verbose_name=_("embargo link"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="press_send",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    message_id = models.CharField(_("message ID"), max_length=255, blank=True)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    # When a worker took the row (queued → sending): a row left "sending" long after it was taken lost its worker.
    claimed_at = models.DateTimeField(_("taken for sending at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["release", "journalist__name", "kind"]
        verbose_name = _("press list send")
        verbose_name_plural = _("press list sends")
        permissions = [("send_presslist", _("Can send releases to the press list"))]
        constraints = [
            models.UniqueConstraint(fields=["release", "journalist", "kind"], name="presslist_send_once"),
        ]
        indexes = [models.Index(fields=["release", "kind", "status"], name="presslist_send_queue")]

    def __str__(self) -> str:
        return f"{self.release} → {self.journalist} ({self.get_kind_display()})"

    @property
    def can_be_retried(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.CANCELLED}

    @property
    def link_state(self) -> str:
        """ "valid", "revoked", "expired" or "" (no personal link)."""
        link = self.embargo_link
        if link is None:
            return ""
        if link.revoked_at:
            return "revoked"
        if link.expires_at <= timezone.now():
            return "expired"
        return "valid"


class PressLinkOpen(models.Model):
    """A request for a journalist's personal embargo link. Holds the time and whether the page was shown:
    no IP address or browser details, which the office does not need to know who opened it."""

    send = models.ForeignKey(PressSend, verbose_name=_("send"), on_delete=models.CASCADE, related_name="opens")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    shown = models.BooleanField(_("page shown"), help_text=_("False: the link was revoked or expired."))

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("link open")
        verbose_name_plural = _("link opens")

    def __str__(self) -> str:
        return f"{self.send.journalist} {self.opened_at:%Y-%m-%d %H:%M}"
