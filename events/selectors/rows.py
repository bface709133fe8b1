"""Lists of releases known by their keys, read from the database only when a page really writes them.

A list page used to read its twenty rows (each joined with its section and cover photo) on every request, and
then hand them to ``{% event_rows %}``, which usually found the list already written and kept
(``page_cache.remembered``) and used nothing of the rows but their keys. Here the keys of a list are kept per
content version like its total, and ``KeptRows`` stands for the rows: ``event_rows`` keys the written list by
``row_keys`` alone, and the rows are read (one query, by key) only when the written list is not kept.

The keys are exact for as long as they are kept: the content version changes with any edit, withdrawal or
deletion, and ``remembered`` drops them at the next scheduled publication and local midnight.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..page_cache import remembered_here


class KeptRows(Sequence):
    """The rows of ``queryset`` with these primary keys, in the keys' order, read on first use.

    ``rows``: the rows themselves, when the caller has just read them (the keys were not kept yet).
    """

    def __init__(self, keys, queryset, rows: list | None = None):
        self.row_keys = list(keys)
        self._queryset = queryset
        self._rows = list(rows) if rows is not None else None

    def _read(self) -> list:
        if self._rows is None:
            if not self.row_keys:
                self._rows = []
            else:
                by_key = {row.pk: row for row in self._queryset.filter(pk__in=self.row_keys)}
                self._rows = [by_key[key] for key in self.row_keys if key in by_key]
        return self._rows

    def __iter__(self) -> Iterator:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __getitem__(self, index):
        return self._read()[index]

    def __bool__(self) -> bool:
        return bool(self.row_keys)

    def __repr__(self) -> str:
        return f"<KeptRows {self.row_keys!r}>"


def kept_rows(kind: str, key: str, rows, source) -> KeptRows:
    """The list ``rows`` (a sliced queryset) as ``KeptRows``: its keys kept per content version under ``kind``
    and ``key`` (which must name everything that decides the list), its rows read from ``source`` by key.

    When the keys are not kept yet, ``rows`` is read whole once and those rows are used as they are."""
    read: list = []

    def keys() -> list:
        read.extend(rows)
        return [row.pk for row in read]

    found = remembered_here(kind, key, keys)
    return KeptRows(found, source, rows=read if read or not found else None)
