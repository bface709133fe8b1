"""``{% month_grid month back compact %}``: the month grid of the calendar and the home page, written by
``includes/month_grid.html``.

A month page shows up to 42 days with three event links each, and writing that grid through the template
engine costs more than all the rest of the page. So each process keeps the grids it has written (the last
``KEPT_GRIDS``), under everything the template reads: the language, the way back, compact or not, and for each
day its date, whether it is in the month and today, and its events (for the full grid their titles and the
slug and language of their links). An edit that changes what a grid shows changes its key, and a grid kept
from another day is never asked for again; nothing needs the content version, so a calendar page reads it
no more than it did.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator

register = template.Library()

TITLE_LENGTH = 60
KEPT_GRIDS = 128

_kept: OrderedDict = OrderedDict()
_kept_lock = threading.Lock()


def _grid_key(month, back: str | None, compact: bool) -> tuple:
    if compact:  # the compact grid shows how many events a day has, not which
        days = tuple((day.date, day.in_month, day.is_today, len(day.events)) for week in month.weeks for day in week)
    else:
        days = tuple(
            (day.date, day.in_month, day.is_today, tuple((e.title, e.slug, e.language) for e in day.events))
            for week in month.weeks
            for day in week
        )
    return (translation.get_language(), back, compact, days)


@register.simple_tag
def month_grid(month, back: str | None = None, compact: bool = False) -> str:
    compact = bool(compact)
    key = _grid_key(month, back, compact)
    with _kept_lock:
        written = _kept.get(key)
        if written is not None:
            _kept.move_to_end(key)
            return written
    written = render_to_string("includes/month_grid.html", {"month": month, "back": back, "compact": compact})
    with _kept_lock:
        _kept[key] = written
        while len(_kept) > KEPT_GRIDS:
            _kept.popitem(last=False)
    return written


@register.filter
def short_title(title: str) -> str:
    """``title`` cut to ``TITLE_LENGTH`` characters (what ``truncatechars`` gives); most titles fit and skip the
    truncator's character walk."""
    return title if len(title) <= TITLE_LENGTH else Truncator(title).chars(TITLE_LENGTH)
