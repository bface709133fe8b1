"""What the alerts do when events says a release went public or a correction is to be announced
(``events.services.outbox``; both signals come after the commit)."""

from __future__ import annotations

from django.dispatch import receiver

from events.services.outbox import release_correction_announced, release_went_public

from .tasks_sending import announce


@receiver(release_went_public, dispatch_uid="subscriptions.announce_publication")
def announce_publication(sender, event_id: int, **kwargs) -> None:
    announce.delay(event_id)


@receiver(release_correction_announced, dispatch_uid="subscriptions.announce_correction")
def announce_correction(sender, event_id: int, version: int, note: str, **kwargs) -> None:
    announce.delay(event_id, update_key=f"v{version}", note=note)
