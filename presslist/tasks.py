"""The press list's background work: a thin task around ``services.press_sends_deliver``."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from .services import press_sends_deliver, press_sends_sweep_stale, press_sends_waiting


@shared_task(
    name="mail.presslist_send",
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def presslist_send(self, *, release_id: int, kind: str) -> int:
    """Send one batch, then ask for the next while rows are queued (rows whose SMTP attempt failed for a
    passing reason wait CSO_PRESSLIST_RETRY_SECONDS before their next try)."""
    progress = press_sends_deliver(release_id=release_id, kind=kind)
    if progress.remaining:
        self.apply_async(kwargs={"release_id": release_id, "kind": kind}, countdown=progress.delay)
    return progress.remaining


@shared_task(name="maintenance.presslist_sweep_stale_sends", autoretry_for=(DatabaseError,), max_retries=3)
def presslist_sweep_stale_sends() -> int:
    """Every 10 minutes (cso_press/celery.py): rows a dead worker left "sending" become "failed"; e-mails still
    queued whose sending task never ran (the broker was down when the editor sent them) are sent now."""
    for release_id, kind in press_sends_waiting():
        presslist_send.delay(release_id=release_id, kind=kind)
    return press_sends_sweep_stale()
