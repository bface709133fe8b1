"""Shared set-up of the sending tests: readers with topics, releases going public."""

from __future__ import annotations

from django.utils import timezone

from events.services import releases
from subscriptions.models import Subscriber, Topic
from tests.factories import EventFactory, UserFactory


def reader(email: str, *topics: tuple[str, object], language: str = "en", frequency: str = "immediate", **fields):
    """A confirmed subscriber following ``topics`` ((kind, target object or query) pairs; default: everything)."""
    subscriber = Subscriber.objects.create(
        email=email, language=language, frequency=frequency, confirmed_at=timezone.now(), **fields
    )
    for kind, target in topics or [("everything", None)]:
        follow(subscriber, kind, target)
    return subscriber


def follow(subscriber: Subscriber, kind: str, target=None) -> Topic:
    if kind == "everything":
        return Topic.objects.create(subscriber=subscriber, kind=kind, target="everything")
    if kind == "filter":
        return Topic.objects.create(subscriber=subscriber, kind=kind, query=target, target=f"filter:{target}")
    field = {"section": "section", "person": "person", "organisation": "organisation"}[kind]
    return Topic.objects.create(subscriber=subscriber, kind=kind, target=f"{kind}:{target.pk}", **{field: target})


def release_in_review(**fields):
    """A release waiting for an editor (submitted by someone else than the one who publishes it)."""
    return EventFactory(in_review=True, submitted_by=UserFactory(username="author"), **fields)


def publish(event, editor, capture):
    """Publish ``event`` now, running what the commit triggers (the alerts' tasks run in the test process)."""
    with capture(execute=True):
        return releases.event_publish(event=event, user=editor)
