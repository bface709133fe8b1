"""Public pages. Every queryset of events starts from ``Event.objects.public()`` (or ``reachable()`` for the
page of one release, which stays up with a notice once withdrawn).

Beside the pages: ``embargo`` (a release under embargo, opened from a signed link) and ``files`` (a release's
stored files and journalists' downloads, which never import the pages); ``events.urls`` imports them directly.
"""

from .base import FilteredEventListView, PublicEventsMixin
from .calendar import CalendarDayView, CalendarMonthView, UpcomingView
from .directory import OrganizationDetailView, OrganizationListView, PersonDetailView, PersonListView
from .event import EventDetailView, event_page_context
from .pages import EventListView, HomeView, PressContactListView, SearchView, SectionDetailView, SectionListView

__all__ = [
    "CalendarDayView",
    "CalendarMonthView",
    "EventDetailView",
    "EventListView",
    "FilteredEventListView",
    "HomeView",
    "OrganizationDetailView",
    "OrganizationListView",
    "PersonDetailView",
    "PersonListView",
    "PressContactListView",
    "PublicEventsMixin",
    "SearchView",
    "SectionDetailView",
    "SectionListView",
    "UpcomingView",
    "event_page_context",
]
