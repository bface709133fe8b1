"""The release list at archive scale: counts that stop, a date filter that reads the index, only the shown columns.

At 100,000 releases Django's defaults cost a list page three scans of the table: the full count next to the
filtered one, the date hierarchy's distinct years (and its first/last dates), and every row's body. Here:
- the count follows the public search's rule (``events.search.count_matches``): exact up to 1,000 rows,
  PostgreSQL's estimate beyond, shown as "about N";
- the date filter offers fixed ranges (upcoming, past, this month, this year, last year) on ``starts_at``;
- the list's rows leave out the body, which no column shows.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..search import count_matches

# Columns no list cell shows; read only on the change page.
LIST_DEFERRED = ("body",)


class ReleaseListPaginator(Paginator):
    """``count`` as the public search counts; ``count_quality`` says how sure it is ("", "about", "more")."""

    count_quality = ""

    @cached_property
    def count(self) -> int:
        count, self.count_quality = count_matches(self.object_list)
        return count


class ReleaseChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*LIST_DEFERRED)


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class WhenFilter(admin.SimpleListFilter):
    """Fixed date ranges in the office's time zone, each one range condition on the ``starts_at`` index."""

    title = _("date")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", _("Upcoming")),
            ("past", _("Past")),
            ("this_month", _("This month")),
            ("this_year", _("This year")),
            ("last_year", _("Last year")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        start_of_today = _local_midnight(today)
        ranges = {
            "upcoming": (start_of_today, None),
            "past": (None, start_of_today),
            "this_month": (
                _local_midnight(today.replace(day=1)),
                _local_midnight((today.replace(day=1) + timedelta(days=32)).replace(day=1)),
            ),
            "this_year": (
                _local_midnight(today.replace(month=1, day=1)),
                _local_midnight(today.replace(year=today.year + 1, month=1, day=1)),
            ),
            "last_year": (
                _local_midnight(today.replace(year=today.year - 1, month=1, day=1)),
                _local_midnight(today.replace(month=1, day=1)),
            ),
        }
        if self.value() not in ranges:
            return queryset
        start, end = ranges[self.value()]
        if start is not None:
            queryset = queryset.filter(starts_at__gte=start)
        if end is not None:
            queryset = queryset.filter(starts_at__lt=end)
        return queryset
