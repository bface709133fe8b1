"""Signed links to unpublished releases for accredited journalists.

A token names one :class:`EmbargoLink` row and its expiry, signed with the project's secret. The row is the
authority: revoking it or letting it expire ends the link, and a token that was altered never verifies.
"""

from __future__ import annotations

from datetime import datetime

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import EmbargoLink

SALT = "events.embargo"


def embargo_token(link: EmbargoLink) -> str:
    # Deterministic for one row, so the admin can show the same link again later.
    return signing.dumps({"link": link.pk, "until": int(link.expires_at.timestamp())}, salt=SALT, compress=False)


def embargo_path(link: EmbargoLink) -> str:
    return reverse("events:embargo", kwargs={"token": embargo_token(link)})


def embargo_link_from_token(token: str, now: datetime | None = None) -> EmbargoLink | None:
    """The valid link a token stands for, or None if it is tampered with, expired or revoked."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    link_id, until = payload.get("link"), payload.get("until")
    if not isinstance(link_id, int) or not isinstance(until, int):
        return None
    now = now or timezone.now()
    if until <= now.timestamp():
        return None
    link = EmbargoLink.objects.valid(now).select_related("event").filter(pk=link_id).first()
    if link is None or int(link.expires_at.timestamp()) != until:
        return None
    return link
