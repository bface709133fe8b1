from django.urls import include, path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("sections/<slug:slug>/", views.SectionDetailView.as_view(), name="section"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("organisations/<slug:slug>/", views.OrganizationDetailView.as_view(), name="organization"),
    # Machine-readable output (feeds, iCalendar, vCard, sitemap) and journalists' downloads.
    path("", include("events.feed_urls")),
    path("", include("events.media_urls")),
    path("", include("events.editorial_urls")),
]
