from datetime import UTC, date, datetime

import pytest
from django.http import Http404

from events.calendar import checked_date, month_grid
from events.models import Event


def make_event(pk, starts_at, ends_at=None):
    return Event(pk=pk, title=f"Event {pk}", starts_at=starts_at, ends_at=ends_at)


def test_month_grid_weeks_start_on_monday_and_cover_whole_weeks():
    grid = month_grid(2026, 5, [], today=date(2026, 5, 12))

    assert grid.weeks[0][0].date == date(2026, 4, 27)  # the Monday before 1 May 2026 (a Friday)
    assert grid.weeks[-1][-1].date == date(2026, 5, 31)  # a Sunday
    assert all(len(week) == 7 for week in grid.weeks)
    assert all(day.date.weekday() == 0 for day in (week[0] for week in grid.weeks))


def test_month_grid_marks_today_only():
    grid = month_grid(2026, 5, [], today=date(2026, 5, 12))

    marked = [day.date for week in grid.weeks for day in week if day.is_today]
    assert marked == [date(2026, 5, 12)]


def test_multi_day_event_is_shown_on_each_of_its_days():
    summit = make_event(1, datetime(2026, 5, 11, 9, tzinfo=UTC), datetime(2026, 5, 13, 17, tzinfo=UTC))
    grid = month_grid(2026, 5, [summit], today=date(2026, 5, 1))

    days = [day.date for week in grid.weeks for day in week if day.events]
    assert days == [date(2026, 5, 11), date(2026, 5, 12), date(2026, 5, 13)]
    assert grid.event_count == 1


def test_event_spanning_month_end_is_clipped_to_the_grid():
    long_one = make_event(1, datetime(2026, 4, 20, tzinfo=UTC), datetime(2026, 6, 10, tzinfo=UTC))
    grid = month_grid(2026, 5, [long_one], today=date(2026, 5, 1))

    days = [day.date for week in grid.weeks for day in week if day.events]
    assert days[0] == date(2026, 4, 27)
    assert days[-1] == date(2026, 5, 31)


def test_previous_and_next_month_stop_at_the_calendar_range():
    assert month_grid(2026, 1, []).previous == date(2025, 12, 1)
    assert month_grid(2026, 12, []).next == date(2027, 1, 1)
    assert month_grid(1990, 1, []).previous is None
    assert month_grid(2100, 12, []).next is None


@pytest.mark.parametrize(
    ("year", "month", "day"), [(1989, 12, 1), (2101, 1, 1), (2026, 13, 1), (2026, 0, 1), (2026, 2, 30)]
)
def test_impossible_or_out_of_range_dates_are_not_found(year, month, day):
    with pytest.raises(Http404):
        checked_date(year, month, day)
