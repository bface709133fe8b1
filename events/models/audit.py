"""Who did what to which release, and the signed links journalists get before publication."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditLogEntryQuerySet(models.QuerySet):
    def for_event(self, event) -> AuditLogEntryQuerySet:
        return self.filter(event=event)


class AuditLogEntry(models.Model):
    """One editorial action, with a dotted code such as ``events.event.published``."""

    action = models.CharField(_("action"), max_length=80, db_index=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("release"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.SET_NULL, null=True, blank=True
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditLogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class EmbargoLinkQuerySet(models.QuerySet):
    def valid(self, now=None) -> EmbargoLinkQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class EmbargoLink(models.Model):
    """A signed, expiring, revocable link to an unpublished release for accredited journalists."""

    event = models.ForeignKey(
        "events.Event", verbose_name=_("release"), on_delete=models.CASCADE, related_name="embargo_links"
    )
    label = models.CharField(_("for"), max_length=200, blank=True, help_text=_("Who the link was given to."))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EmbargoLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("embargo link")
        verbose_name_plural = _("embargo links")

    def __str__(self) -> str:
        return f"{self.event} → {self.label or self.pk}"
