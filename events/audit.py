"""The audit log's one writer: editorial transitions (``events.services``) and security events
(``cso_press.accounts.two_factor``) both record here, so sign-in code need not import the editorial services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from .models import AuditLogEntry, Event


def audit_log(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    event: Event | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    object_repr: str = "",
) -> AuditLogEntry:
    return AuditLogEntry.objects.create(
        action=action,
        event=event,
        object_repr=(object_repr or str(event or ""))[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
