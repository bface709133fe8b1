"""Background tasks of the readers' side: the two messages a reader's own request causes (queue ``mail``) and
the daily sweep of unconfirmed and departed addresses (queue ``default``; beat in cso_press/celery.py).

Each is a thin wrapper around a service. Sending a confirmation twice sends a second, equally valid link, which
is harmless; a lost SMTP connection is retried later with backoff.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.db import DatabaseError

from . import services

logger = logging.getLogger(__name__)

RETRY_OPTIONS = {
    "autoretry_for": (DatabaseError, OSError, smtplib.SMTPException),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="mail.send_confirmation", **RETRY_OPTIONS)
def send_confirmation(subscriber_id: int) -> bool:
    return services.confirmation_send(subscriber_id=subscriber_id)


@shared_task(name="mail.send_manage_link", **RETRY_OPTIONS)
def send_manage_link(subscriber_id: int, targets: list[str]) -> bool:
    return services.manage_link_send(subscriber_id=subscriber_id, targets=targets)


@shared_task(name="maintenance.sweep_subscribers", autoretry_for=(DatabaseError,), retry_backoff=5, max_retries=5)
def sweep_subscribers() -> dict:
    unconfirmed, left = services.subscribers_sweep()
    logger.info("Alerts sweep: %s unconfirmed addresses deleted, %s departed addresses erased.", unconfirmed, left)
    return {"unconfirmed": unconfirmed, "left": left}
