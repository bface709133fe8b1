"""Keeping the stored name keys (``events.name_keys``) of people and organisations in step with the rules.

``save()`` keeps a row's ``name_key`` current. Rows written without it need this: a restored archive (its rows
are inserted raw, as the archive holds them, and an archive made before migration 0016 holds no keys at all)
and anything written with ``bulk_create`` or ``update()``.
"""

from __future__ import annotations

from django.db import transaction

from ..models import Organization, Person
from ..name_keys import organization_search_key, person_search_key

BATCH = 500


def name_keys_refresh() -> int:
    """Recompute every person's and organisation's ``name_key``; returns how many rows changed."""
    changed_rows = 0
    with transaction.atomic():
        for model, key in ((Person, person_search_key), (Organization, organization_search_key)):
            changed = []
            for row in model._base_manager.order_by("pk").iterator(chunk_size=BATCH):
                fresh = key(row)
                if row.name_key != fresh:
                    row.name_key = fresh
                    changed.append(row)
            model._base_manager.bulk_update(changed, ["name_key"], batch_size=BATCH)
            changed_rows += len(changed)
    return changed_rows
