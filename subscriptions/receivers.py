"""What the alerts do when events says a release went public or a correction is to be announced
(``events.services.outbox``; both signals come after the commit).

The work goes to the `mail` queue. When the broker cannot take it (Redis or RabbitMQ down), the editor's action
must not fail: the announcement row is made here instead, waiting, and the 30-second sweep
(``mail.announce_due``) fans out every waiting announcement once the workers can be reached again.
"""

from __future__ import annotations

import logging

from django.dispatch import receiver
from kombu.exceptions import OperationalError

from events.services.outbox import release_correction_announced, release_went_public

from . import fanout
from .tasks_sending import announce

logger = logging.getLogger(__name__)


def _announce(event_id: int, update_key: str = "", note: str = "") -> None:
    try:
        announce.delay(event_id, update_key=update_key, note=note)
    except (OSError, OperationalError):
        logger.exception("The alert task for release %s could not be queued; the sweep will send it", event_id)
        fanout.announcement_owed(event_id, update_key=update_key, note=note)


@receiver(release_went_public, dispatch_uid="subscriptions.announce_publication")
def announce_publication(sender, event_id: int, **kwargs) -> None:
    _announce(event_id)


@receiver(release_correction_announced, dispatch_uid="subscriptions.announce_correction")
def announce_correction(sender, event_id: int, version: int, note: str, **kwargs) -> None:
    _announce(event_id, update_key=f"v{version}", note=note)
