"""The events calendar: a month grid, a day's events, and what is coming up."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.views.generic import ListView, TemplateView

from ..calendar import MAX_YEAR, MIN_YEAR, checked_date, day_events, month_events, month_grid
from .base import PublicEventsMixin


class CalendarMonthView(PublicEventsMixin, TemplateView):
    template_name = "events/calendar_month.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "year" in self.kwargs:
            first = checked_date(self.kwargs["year"], self.kwargs["month"])
        else:
            first = timezone.localdate().replace(day=1)
        events = month_events(self.public_events(), first.year, first.month)
        context["month"] = month_grid(first.year, first.month, events)
        context["back_here"] = self.request.get_full_path()
        return context


class CalendarDayView(PublicEventsMixin, ListView):
    template_name = "events/calendar_day.html"
    context_object_name = "events"

    def get_queryset(self):
        self.day = checked_date(self.kwargs["year"], self.kwargs["month"], self.kwargs["day"])
        return day_events(self.public_events(), self.day)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        previous, following = self.day - timedelta(days=1), self.day + timedelta(days=1)
        context["day"] = self.day
        context["previous_day"] = previous if previous.year >= MIN_YEAR else None
        context["next_day"] = following if following.year <= MAX_YEAR else None
        context["back_here"] = self.request.get_full_path()
        return context


class UpcomingView(PublicEventsMixin, ListView):
    template_name = "events/upcoming.html"
    context_object_name = "events"
    paginate_by = 20

    def get_queryset(self):
        return self.public_events().upcoming()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_here"] = self.request.get_full_path()
        return context
