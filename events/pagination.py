"""Pagination that stays fast on a deep page of a large archive.

- The total is counted once per content version and list (the page cache's version moves on whenever
  anything changes, and the stored count expires at the next scheduled publication), instead of a COUNT(*)
  over the archive on every request.
- A page is fetched in two steps: first the primary keys of that page alone (a walk along the ordering
  index), then the full rows of those keys. A plain OFFSET would drag every skipped row through the joins
  with sections and photos.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .page_cache import content_version, valid_until


class ArchivePaginator(Paginator):
    def __init__(self, *args, count_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if not self.count_key:
            return super().count
        version = content_version()
        key = f"cso:count:{version}:{hashlib.sha256(self.count_key.encode()).hexdigest()}"
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            now = time.time()
            lifetime = int(valid_until(version, now, limit=300) - now)
            if lifetime > 0:
                cache.set(key, total, timeout=lifetime)
        return total

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        fetched = {obj.pk: obj for obj in self.object_list.filter(pk__in=keys)} if keys else {}
        return self._get_page([fetched[key] for key in keys if key in fetched], number, self)
