"""News about releases for the apps built on events (e-mail alerts, the press list), sent after the commit.

events never imports those apps (contract ``events-not-audiences``); it says what happened through these two
signals and they listen. Both are sent from ``transaction.on_commit``, so a receiver sees the committed rows
and a rolled-back publication announces nothing.

- ``release_went_public(event_id)``: a release was published now or published again. A scheduled release
  sends nothing at its minute (nothing runs then); the alerts' periodic sweep finds it.
- ``release_correction_announced(event_id, version, note)``: an editor saved a change note on a public release
  and ticked "Notify subscribers".
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

release_went_public = Signal()
release_correction_announced = Signal()


def announce_public_after_commit(event_id: int) -> None:
    transaction.on_commit(lambda: release_went_public.send(sender=None, event_id=event_id))


def announce_correction_after_commit(event_id: int, *, version: int, note: str) -> None:
    transaction.on_commit(
        lambda: release_correction_announced.send(sender=None, event_id=event_id, version=version, note=note)
    )
