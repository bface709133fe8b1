"""Shared helpers of the readers' side tests (subscribe, manage, suppression, admin)."""

from __future__ import annotations

import re

from django.core import mail
from django.utils import timezone

from subscriptions.models import Subscriber, Topic

LINK = re.compile(r"https?://[^\s\"<>]+")


def links_in(message, part: str = "/confirm/") -> list[str]:
    """Links containing ``part`` in the plain-text body of a sent message."""
    return [link for link in LINK.findall(message.body) if part in link]


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def subscribe(client, email: str, topics=("everything",), language: str = "en", **extra):
    data = {
        "email": email,
        "topics": list(topics),
        "language": language,
        "frequency": "immediate",
        "time_zone": "Europe/Vienna",
        **extra,
    }
    return client.post(f"/{language}/alerts/", data)


def confirmed_subscriber(email: str = "reader@example.org", language: str = "en", targets=("everything",)):
    subscriber = Subscriber.objects.create(email=email, language=language, confirmed_at=timezone.now())
    for target in targets:
        kind, _colon, rest = target.partition(":")
        fields = {f"{kind}_id": int(rest)} if kind in ("section", "person", "organisation") else {}
        Topic.objects.create(subscriber=subscriber, kind=kind, target=target, **fields)
    return subscriber


def outbox_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]
