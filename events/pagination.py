"""Pagination that stays fast on a deep page of a large archive.

- The total is counted once per content version and list (the page cache's version moves on whenever
  anything changes, and the stored count expires at the next scheduled publication), instead of a COUNT(*)
  over the archive on every request.
- A page's rows are those of its primary keys, found by a subquery that walks the ordering index alone. A
  plain OFFSET would drag every skipped row through the joins with sections and photos. A page with
  nothing to skip (the first) reads its rows directly.
- On the archive's own order (newest first), the walk starts from an *anchor*: the position of every
  thousandth row, found once per content version and kept like the count. Page 2,000 then skips at most
  a thousand index entries instead of forty thousand, so it costs about what page 1 does.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Page, Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .page_cache import remembered

# Rows between two anchors (see the module docstring).
ANCHOR_EVERY = 1000
# The order anchors understand: the archive's, newest first.
ARCHIVE_ORDER = ("-starts_at", "-pk")


class ArchivePaginator(Paginator):
    def __init__(self, *args, count_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    def _remembered(self, kind: str, compute):
        """``compute()``, kept per content version and list until the next scheduled publication (5 min at most)."""
        return remembered(kind, self.count_key, compute)

    @cached_property
    def count(self) -> int:
        if not self.count_key:
            return super().count
        return self._remembered("count", self.object_list.count)

    def _anchored(self, bottom: int):
        """The list from the nearest anchor at or before row ``bottom``, and how many rows remain to skip."""
        block = bottom // ANCHOR_EVERY
        if not self.count_key or block == 0 or tuple(self.object_list.query.order_by) != ARCHIVE_ORDER:
            return self.object_list, bottom
        start = block * ANCHOR_EVERY

        def find_anchor():
            return list(self.object_list.values_list("starts_at", "pk")[start : start + 1])

        found = self._remembered(f"anchor{block}", find_anchor)
        if not found:
            return self.object_list, bottom
        starts_at, pk = found[0]
        rest = self.object_list.filter(starts_at__lte=starts_at).exclude(starts_at=starts_at, pk__gt=pk)
        return rest, bottom - start

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows, skip = self._anchored(bottom)
        if skip == 0:
            # The first page (or one starting right at an anchor) has nothing to skip: its rows directly.
            return self._get_page(list(rows[: top - bottom]), number, self)
        # The page's keys are found by walking the ordering index alone (a subquery); only those rows are then
        # joined with their sections and photos. One query, as with OFFSET, without joining the skipped rows.
        keys = rows.values("pk")[skip : skip + top - bottom]
        return self._get_page(list(self.object_list.filter(pk__in=keys)), number, self)


class RankedPage(Page):
    """A page that knows from its own rows whether another follows (the total may be an estimate)."""

    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class TieredPaginator(Paginator):
    """Pages over a list given as consecutive parts (``tiers``), each a queryset in its own order.

    A page's keys are read part by part, each by walking that part's order, which an index can serve; the
    rows are then read by key, with ``rows`` (the whole list's queryset, with its joins). The total is
    ``count_function(rows)``: ``(number, how)``, ``how`` "" when counted, kept per content version like
    ``ArchivePaginator``'s.
    When it is an estimate, pages past it are still served while rows remain, and ``has_next`` looks one row
    ahead, so no row is ever out of reach; a page with no rows at all is not found.
    """

    def __init__(self, rows, per_page, *, tiers, count_function, count_key: str = "", **kwargs):
        super().__init__(rows, per_page, **kwargs)
        self.tiers = tiers
        self.count_function = count_function
        self.count_key = count_key

    @cached_property
    def _total(self) -> tuple[int, str]:
        if not self.count_key:
            return self.count_function(self.object_list)
        return tuple(remembered("count", self.count_key, lambda: self.count_function(self.object_list)))

    @cached_property
    def count(self) -> int:
        return self._total[0]

    @property
    def estimated(self) -> str:
        """How ``count`` was found: "" counted; "about" estimated; "more": more than ``count``."""
        return self._total[1]

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.estimated and int(number) > 1:
                return int(number)
            raise

    def _keys(self, bottom: int, wanted: int) -> list:
        """Up to ``wanted`` keys from position ``bottom`` of the whole list."""
        keys: list = []
        skip = bottom
        # An exact total tells when the list is done, so the parts after that need not be asked.
        end = None if self.estimated else self.count
        for tier in self.tiers:
            if len(keys) >= wanted or (end is not None and bottom + len(keys) >= end):
                break
            found = list(tier.values_list("pk", flat=True)[: skip + wanted - len(keys)])
            keys += found[skip:]
            skip = max(0, skip - len(found))
        return keys

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = self._keys(bottom, self.per_page + 1)
        if not keys and number > 1:
            raise EmptyPage(_("That page contains no results"))
        shown = keys[: self.per_page]
        rows = {row.pk: row for row in self.object_list.filter(pk__in=shown)}
        return RankedPage([rows[key] for key in shown if key in rows], number, self, more=len(keys) > len(shown))
