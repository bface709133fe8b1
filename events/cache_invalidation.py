"""Any change to press-office records makes cached public pages obsolete, once the change is committed."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .page_cache import bump_content_version

# Records that never show on a public page.
IGNORED = {"AuditLogEntry", "EmbargoLink", "TrashedEventContent"}


def _changed(sender, raw=False, **kwargs) -> None:
    if raw:  # fixtures and archive restores are followed by their own bump
        return
    # After commit: a reader must not cache the old page under the new version while the write is in flight.
    transaction.on_commit(bump_content_version)


def connect() -> None:
    for model in apps.get_app_config("events").get_models():
        if model.__name__ in IGNORED or model.__name__.startswith("Historical"):
            continue
        uid = f"cso.page_cache.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for field in apps.get_model("events", "Event")._meta.many_to_many:
        m2m_changed.connect(
            _changed, sender=field.remote_field.through, dispatch_uid=f"cso.page_cache.m2m.{field.name}"
        )
