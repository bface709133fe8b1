"""Month grids for the public events calendar: weeks start on Monday, multi-day events fill each day."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.http import Http404
from django.utils import timezone

from .selectors.times import local_times

# Years a reader can reach; anything else is a mistyped or crafted URL, answered with 404.
MIN_YEAR = 1990
MAX_YEAR = 2100


@dataclass
class CalendarDay:
    date: date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)

    @property
    def css_class(self) -> str:
        """The cell's classes: a day of the month before or after, today, a day with events."""
        wanted = (("other-month", not self.in_month), ("today", self.is_today), ("has-events", bool(self.events)))
        return " ".join(name for name, applies in wanted if applies)


@dataclass
class MonthGrid:
    year: int
    month: int
    weeks: list[list[CalendarDay]]

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> date | None:
        day = self.first_day - timedelta(days=1)
        return day.replace(day=1) if day.year >= MIN_YEAR else None

    @property
    def next(self) -> date | None:
        day = self.first_day + timedelta(days=32)
        return day.replace(day=1) if day.year <= MAX_YEAR else None

    @property
    def event_count(self) -> int:
        return len({event.pk for week in self.weeks for day in week if day.in_month for event in day.events})


def checked_date(year: int, month: int, day: int = 1) -> date:
    """The date, or 404 when it does not exist or lies outside the calendar's range."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("Year out of range")
    try:
        return date(year, month, day)
    except (ValueError, OverflowError) as exc:  # a month or day of twenty digits overflows C's long
        raise Http404("No such date") from exc


def grid_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day shown on the grid (whole weeks, Monday to Sunday)."""
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    return weeks[0][0], weeks[-1][-1]


def day_span(day: date) -> tuple[datetime, datetime]:
    """Start and end of ``day`` in the current time zone, as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def month_grid(year: int, month: int, events, today: date | None = None) -> MonthGrid:
    """Lay ``events`` (already limited to the grid's span) out on the weeks of the month."""
    today = today or timezone.localdate()
    first_shown, last_shown = grid_bounds(year, month)
    by_day: dict[date, list] = defaultdict(list)
    one_day = timedelta(days=1)
    # An event sits on the days it takes place where it takes place (``local_times``), as its page says.
    for event in sorted(events, key=lambda item: (item.starts_at, item.pk)):
        times = local_times(event)
        first, last = times.first_day, times.last_day
        if first == last:
            if first_shown <= first <= last_shown:
                by_day[first].append(event)
            continue
        day = max(first, first_shown)
        while day <= min(last, last_shown):
            by_day[day].append(event)
            day += one_day
    weeks = [
        [
            CalendarDay(date=day, in_month=day.month == month, is_today=day == today, events=by_day.get(day, []))
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    ]
    return MonthGrid(year=year, month=month, weeks=weeks)


def month_events(queryset, year: int, month: int, *, days_only: bool = False):
    """``queryset`` narrowed to events touching any day on the month's grid.

    ``days_only``: just enough to place each event on its days (the compact grid of the home page shows
    how many events a day has, not which), a third of the data of a full row.
    """
    first_shown, last_shown = grid_bounds(year, month)
    # A day in the venue's zone may begin up to 14 hours before or after the same day here: the query reaches
    # a day further each way, and ``month_grid`` keeps the events whose local days are on the grid.
    start, _ = day_span(first_shown - timedelta(days=1))
    _, end = day_span(last_shown + timedelta(days=1))
    rows = queryset.for_calendar()
    if days_only:
        rows = rows.values_list("pk", "starts_at", "ends_at", "time_zone", named=True)
    return rows.overlapping(start, end)


def day_events(queryset, day: date) -> list:
    """The events of ``queryset`` that take place on ``day`` where they take place (the days ``month_grid``
    puts them on), soonest first."""
    start, _ = day_span(day - timedelta(days=1))
    _, end = day_span(day + timedelta(days=1))
    nearby = queryset.overlapping(start, end).order_by("starts_at", "pk")
    return [event for event in nearby if local_times(event).first_day <= day <= local_times(event).last_day]
