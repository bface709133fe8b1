from django.urls import include, path

from . import views
from .views.accessibility import AccessibilityStatementView

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("calendar/", views.CalendarMonthView.as_view(), name="calendar"),
    path("calendar/upcoming/", views.UpcomingView.as_view(), name="upcoming"),
    path("calendar/<int:year>/<int:month>/", views.CalendarMonthView.as_view(), name="calendar-month"),
    path("calendar/<int:year>/<int:month>/<int:day>/", views.CalendarDayView.as_view(), name="calendar-day"),
    path("sections/", views.SectionListView.as_view(), name="sections"),
    path("sections/<slug:slug>/", views.SectionDetailView.as_view(), name="section"),
    path("people/", views.PersonListView.as_view(), name="people"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("organisations/", views.OrganizationListView.as_view(), name="organizations"),
    path("organisations/<slug:slug>/", views.OrganizationDetailView.as_view(), name="organization"),
    path("contacts/", views.PressContactListView.as_view(), name="contacts"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("accessibility/", AccessibilityStatementView.as_view(), name="accessibility"),
    # Machine-readable output (feeds, iCalendar, vCard, sitemap) and journalists' downloads.
    path("", include("events.feed_urls")),
    path("", include("events.media_urls")),
    path("", include("events.editorial_urls")),
]
