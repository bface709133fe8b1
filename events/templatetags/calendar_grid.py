"""``{% month_grid month back compact %}``: the month grid of the calendar and the home page, written by
``includes/month_grid.html``.

A month page shows up to 42 days with three event links each, and writing that grid through the template
engine was half the page's time; the written grid is kept per content version (``page_cache.remembered``),
under the events on each day and everything else the template reads (language, today, way back, compact).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator

from ..page_cache import remembered

register = template.Library()

TITLE_LENGTH = 60


@register.simple_tag
def month_grid(month, back: str | None = None, compact: bool = False) -> str:
    days = [
        (day.date.toordinal(), day.in_month, day.is_today, [event.pk for event in day.events])
        for day in (day for week in month.weeks for day in week)
    ]
    key = repr((translation.get_language(), back, bool(compact), days))
    values = {"month": month, "back": back, "compact": compact}
    return remembered("month-grid", key, lambda: render_to_string("includes/month_grid.html", values))


@register.filter
def short_title(title: str) -> str:
    """``title`` cut to ``TITLE_LENGTH`` characters (what ``truncatechars`` gives); most titles fit and skip the
    truncator's character walk."""
    return title if len(title) <= TITLE_LENGTH else Truncator(title).chars(TITLE_LENGTH)
