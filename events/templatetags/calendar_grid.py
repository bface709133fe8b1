"""The weeks of a month grid, written out in Python.

A month page shows up to 42 days with three event links each; through the template engine that grid alone
took half of the page's time. The markup is what ``includes/month_grid.html`` used to write cell by cell,
with the same translations (the message ids of its ``blocktranslate`` tags).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from .press import event_link, press_date

register = template.Library()

EVENTS_PER_DAY = 3
TITLE_LENGTH = 60


@register.simple_tag
def month_weeks(month, back: str | None = None, compact: bool = False) -> str:
    rows = []
    for week in month.weeks:
        cells = "".join(_day_cell(day, back, compact) for day in week)
        rows.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every value below goes through escape()


def short_title(title: str) -> str:
    """``title`` cut to ``TITLE_LENGTH`` characters; most titles fit and skip the truncator's character walk."""
    return title if len(title) <= TITLE_LENGTH else Truncator(title).chars(TITLE_LENGTH)


def _day_cell(day, back: str | None, compact: bool) -> str:
    classes = " ".join(
        name
        for name, wanted in (("other-month", not day.in_month), ("today", day.is_today), ("has-events", day.events))
        if wanted
    )
    current = ' aria-current="date"' if day.is_today else ""
    parts = [f'<td class="{classes}"{current}>']
    if day.events:
        count = len(day.events)
        day_url = escape(
            reverse("events:calendar-day", kwargs={"year": day.date.year, "month": day.date.month, "day": day.date.day})
        )
        written = escape(press_date(day.date))
        label = ngettext("%(counter)s event", "%(counter)s events", count) % {"counter": count}
        parts.append(
            f'<a class="day-number" href="{day_url}" aria-label="{written}: {escape(label)}">{day.date.day}</a>'
        )
        if not compact:
            weekday = escape(dateformat.format(day.date, "l"))
            parts.append(
                f'<span class="day-full" aria-hidden="true">{weekday}, {written}</span><ul class="day-events">'
            )
            for event in day.events[:EVENTS_PER_DAY]:
                url = escape(event_link(event, back))
                title = escape(short_title(event.title))
                parts.append(f'<li><a href="{url}">{title}</a></li>')
            if count > EVENTS_PER_DAY:
                more = count - EVENTS_PER_DAY
                text = ngettext("and %(counter)s more", "and %(counter)s more", more) % {"counter": more}
                parts.append(f'<li class="more"><a href="{day_url}">{escape(text)}</a></li>')
            parts.append("</ul>")
    else:
        parts.append(f'<span class="day-number">{day.date.day}</span>')
    if day.is_today and not compact:
        parts.append(f'<span class="today-label">{escape(gettext("Today"))}</span>')
    parts.append("</td>")
    return "".join(parts)
