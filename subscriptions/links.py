"""Signed links in e-mails: confirm an address, manage a subscription, leave at once.

A link carries the subscriber's id and is signed with the site's secret and the subscriber's own ``key``, so
giving a subscriber a new key (when they leave, or ask for it) makes every link sent before stop working.
Confirmation links expire after CSO_ALERTS_CONFIRM_DAYS; manage and unsubscribe links do not expire (they
arrive in every message and must still work months later), until the key changes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from .models import Subscriber

CONFIRM = "confirm"
MANAGE = "manage"
UNSUBSCRIBE = "unsubscribe"


def _salt(purpose: str, subscriber: Subscriber) -> str:
    return f"subscriptions.{purpose}.{subscriber.key}"


def make_token(purpose: str, subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=_salt(purpose, subscriber)).sign(str(subscriber.pk))


def read_token(purpose: str, token: str) -> Subscriber | None:
    """The subscriber a token was made for, or None for anything wrong (forged, expired, key changed, erased)."""
    subscriber_id = token.split(":", 1)[0]
    if not subscriber_id.isdigit():
        return None
    subscriber = Subscriber.objects.filter(pk=int(subscriber_id)).first()
    if subscriber is None:
        return None
    max_age = timedelta(days=settings.CSO_ALERTS_CONFIRM_DAYS) if purpose == CONFIRM else None
    try:
        signing.TimestampSigner(salt=_salt(purpose, subscriber)).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    return subscriber


def absolute_link(purpose: str, subscriber: Subscriber) -> str:
    """The full address (CSO_SITE_URL + path) in the subscriber's language, for an e-mail."""
    with translation.override(subscriber.language):
        path = reverse(f"subscriptions:{purpose}", kwargs={"token": make_token(purpose, subscriber)})
    return settings.CSO_SITE_URL.rstrip("/") + path
