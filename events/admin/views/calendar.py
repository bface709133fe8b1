"""The editorial calendar: a month of publications, scheduled ones marked."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from ... import permissions
from ...selectors.editorial import publications_between
from .base import admin_context


def _month_start(year: int, month: int) -> date:
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise Http404
    return date(year, month, 1)


def calendar_view(model_admin, request, year: int | None = None, month: int | None = None):
    if not permissions.can_view(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    first = _month_start(year or today.year, month or today.month)
    last_day = calendar.monthrange(first.year, first.month)[1]
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), zone)
    end = start + timedelta(days=last_day)
    now = timezone.now()
    by_day: dict[date, list] = {}
    for event in publications_between(start, end):
        event.is_scheduled_now = not event.is_due(now)
        by_day.setdefault(timezone.localtime(event.publish_at, zone).date(), []).append(event)
    weeks = [
        [{"day": day, "in_month": day.month == first.month, "today": day == today, "events": by_day.get(day, [])}
         for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]  # fmt: skip
    previous = (first - timedelta(days=1)).replace(day=1)
    following = first + timedelta(days=last_day)
    return TemplateResponse(
        request,
        "admin/events/event/calendar.html",
        admin_context(
            model_admin,
            request,
            title=_("Editorial calendar"),
            month=first,
            weeks=weeks,
            weekdays=[WEEKDAYS_ABBR[i] for i in range(7)],
            time_zone=timezone.get_current_timezone_name(),
            previous_url=reverse("admin:events_event_calendar_month", args=[previous.year, previous.month]),
            next_url=reverse("admin:events_event_calendar_month", args=[following.year, following.month]),
        ),
    )
