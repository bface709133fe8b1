"""Home, All events, sections, press contacts and search."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from ..calendar import month_events, month_grid
from ..models import Event, Person, PhoneNumber, Section
from ..page_cache import remembered_here, remembered_until
from ..search import count_matches, search_events, search_tiers
from ..selectors.rows import kept_rows
from ..selectors.sections import active_sections, section_links
from ..selectors.visibility import current_language
from .base import FilteredEventListView, KeptTieredPaginator, PublicEventsMixin

MAX_QUERY_LENGTH = 200
# What a dated link to an event needs (``event_dates`` and ``event_link``).
LINK_FIELDS = ("title", "slug", "language", "starts_at", "ends_at", "all_day", "time_zone")


class HomeView(PublicEventsMixin, TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        language = current_language()
        events = self.public_events()
        # "Latest" is about when a release came out, not when its event takes place: an announcement of a
        # summit three months ahead is news today, and must not sit above today's statement for three months.
        latest = events.order_by("-publish_at", "-pk")[:8]
        context["latest_events"] = kept_rows("home-latest", language, latest, events)
        # The upcoming panel shows dates and linked titles only: no section, photo or lead to fetch. Kept per
        # content version until the first of them is over (only then can another take its place).
        context["upcoming_events"] = remembered_until("home-upcoming", language, lambda: upcoming_panel(events))
        context["section_links"] = remembered_here("section-links", language, section_links)
        # The compact grid shows how many events each day has: worked out once per content version and day
        # (a month of a large archive is hundreds of events to place on their local days).
        zone = timezone.get_current_timezone_name()
        context["month"] = remembered_here(
            "home-month", f"{language}|{today}|{zone}", lambda: compact_month(events, today)
        )
        context["back_here"] = self.request.get_full_path()
        return context


def upcoming_panel(events) -> tuple[list, float | None]:
    """The next five events not over yet, and the moment the first of them is over (an event is over once
    both its start and its end, when it has one, are past)."""
    rows = list(events.upcoming().select_related(None).only(*LINK_FIELDS)[:5])
    over = [max(event.starts_at, event.ends_at or event.starts_at).timestamp() for event in rows]
    return rows, min(over, default=None)


def compact_month(events, today):
    """The month grid of ``today`` for the home page: each day holds the keys of its events (all the compact
    grid shows is how many there are), so that it is small to keep."""
    days = month_events(events, today.year, today.month, days_only=True)
    grid = month_grid(today.year, today.month, days, today=today)
    for week in grid.weeks:
        for day in week:
            day.events = [event.pk for event in day.events]
    return grid


class EventListView(FilteredEventListView):
    template_name = "events/event_list.html"


class SectionListView(TemplateView):
    template_name = "events/section_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = active_sections()
        return context


class SectionDetailView(FilteredEventListView):
    template_name = "events/section_detail.html"

    def dispatch(self, request, *args, **kwargs):
        # Kept per content version, as its sub-sections are (an address that is no section is asked again).
        slug = kwargs["slug"]
        self.section = remembered_here("section", slug, lambda: active_section(slug))
        if self.section is None:
            raise Http404("No section at this address.")
        self.filter_section = self.section
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["section"] = self.section
        context["subsections"] = self.subsections
        return context


def active_section(slug: str) -> Section | None:
    return Section.objects.active().select_related("parent").filter(slug=slug).first()


class PressContactListView(ListView):
    template_name = "events/contact_list.html"
    context_object_name = "contacts"

    def get_queryset(self):
        phones = PhoneNumber.objects.order_by("position", "pk")
        return (
            Person.objects.press_contacts()
            .select_related("organization")
            .prefetch_related(Prefetch("phones", queryset=phones))
            .order_by("sort_name", "name")
        )


class SearchView(PublicEventsMixin, ListView):
    template_name = "events/search.html"
    paginate_by = 20
    paginator_class = KeptTieredPaginator
    context_object_name = "results"

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # The total is counted once per content version (exactly up to a limit, then estimated); a page's
        # rows are found rank by rank along the date index (events.search.search_tiers).
        language = current_language()
        return super().get_paginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            tiers=search_tiers(self.searched(), self.get_query(), language),
            count_function=count_matches,
            count_key=f"search|{language}|{self.get_query()}",
        )

    def searched(self):
        return Event.objects.public().in_language(current_language())

    def get_query(self) -> str:
        return " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]

    def get_queryset(self):
        query = self.get_query()
        if not query:
            return Event.objects.none()
        return search_events(self.searched().for_listing(), query, current_language())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.get_query()
        # Result pages are endless variations of the site's own pages: search engines should not keep them. The
        # search page itself (no words yet, or only spaces) is an ordinary page of the site, indexable like the others.
        context["noindex"] = bool(context["query"])
        context["back_here"] = self.request.get_full_path()
        return context
