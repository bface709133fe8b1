"""Who may fetch a release's files right now: the one rule behind every photo, rendition, document and zip.

A release's files follow the release. Anyone may fetch them while it is public (``Event.objects.public()``);
while it is not (draft, in review, scheduled and not yet due, embargoed, withdrawn), only

- the holder of a valid embargo link for it, through the signed ``access`` value its embargo page puts in
  every file address (the link row is read on each request: revoked or expired, the value is worthless), or
- staff who may preview it (admin thumbnails, the preview page), by their session.

A deleted release has no attachment rows left, so its addresses answer 404 like any unknown one.
"""

from __future__ import annotations

from enum import Enum

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from ..models import EmbargoLink, Event
from ..permissions import can_preview
from .links import GRANT_PARAMETER, read_grant_token


class Access(Enum):
    PUBLIC = "public"  # anyone; responses may be kept by browsers and shared caches
    PRIVATE = "private"  # this client only; responses are never stored


def release_access(request, event: Event) -> Access | None:
    """How this client may see ``event``'s files, or None when it may not."""
    if Event.objects.public().filter(pk=event.pk).exists():
        return Access.PUBLIC
    if event.status != Event.Status.WITHDRAWN and embargo_grant_is_valid(request, event):
        return Access.PRIVATE
    if can_preview(request.user, event):
        return Access.PRIVATE
    return None


def embargo_grant_is_valid(request, event: Event) -> bool:
    payload = read_grant_token(request.GET.get(GRANT_PARAMETER, ""))
    if payload is None or payload["event"] != event.pk or payload["until"] <= timezone.now().timestamp():
        return False
    return EmbargoLink.objects.valid().filter(pk=payload["link"], event_id=event.pk).exists()


def release_for_files(request, slug: str) -> tuple[Event, Access]:
    """The release at ``slug`` whose files this client may fetch, preferring the page's language, or 404."""
    language = (get_language() or "")[:2]
    public = list(Event.objects.public().filter(slug=slug)[:2])
    if public:
        return next((event for event in public if event.language == language), public[0]), Access.PUBLIC
    candidates = sorted(Event.objects.filter(slug=slug)[:2], key=lambda event: event.language != language)
    for event in candidates:
        access = release_access(request, event)
        if access is not None:
            return event, access
    raise Http404("No release with this address that you may see.")
