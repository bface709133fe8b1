"""What hung off a deleted event, kept while the event is in the trash so that a restore brings it back whole."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrashedEventContent(models.Model):
    """One deleted event's photos and documents (as field values; their files stay in storage), people,
    press contacts and organisations, keyed by the history record of its deletion.

    Written when the event is deleted, consumed when it is restored, and removed by ``manage.py purge_trash``
    once the deletion is older than ``CSO_TRASH_DAYS``; deleting a row deletes its files after the commit,
    unless an attachment has them again.
    """

    # The deletion record: clearing old history (which ends the chance to restore) takes this row with it, and
    # the row's post_delete receiver takes the files.
    history = models.OneToOneField(
        "events.HistoricalEvent", verbose_name=_("deletion record"), on_delete=models.CASCADE, related_name="+"
    )
    deleted_event_id = models.BigIntegerField(_("deleted event"), db_index=True)
    deleted_at = models.DateTimeField(_("deleted at"), db_index=True)
    # Serialised Attachment rows ({"pk": …, "fields": {…}}), stored file names included.
    attachments = models.JSONField(_("attachments"), default=list, blank=True, encoder=DjangoJSONEncoder)
    cover_id = models.BigIntegerField(_("cover photo"), null=True, blank=True)
    # [[person id, position], …] in their order on the release.
    participants = models.JSONField(_("participants"), default=list, blank=True)
    press_contacts = models.JSONField(_("press contacts"), default=list, blank=True)
    organizations = models.JSONField(_("organisations"), default=list, blank=True)

    class Meta:
        ordering = ["-deleted_at", "-history_id"]
        verbose_name = _("trashed event content")
        verbose_name_plural = _("trashed event contents")

    def __str__(self) -> str:
        return f"Event {self.deleted_event_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"
