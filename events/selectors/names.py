"""TEMP stub of the "names" helper's module (replaced at merge): likely duplicates of a person or organisation.

Only the contract the release editor's quick-add needs: ``likely_duplicates(model, name, exclude_pk=None)``
returns the rows whose name is the same as ``name``, ignoring case.
"""

from __future__ import annotations

from django.db import models


def likely_duplicates(model: type[models.Model], name: str, exclude_pk=None) -> models.QuerySet:
    rows = model.objects.filter(name__iexact=(name or "").strip())
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows
