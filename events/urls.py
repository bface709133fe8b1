"""The public site's routes: those under the language prefix (``urlpatterns``, names in the "events" namespace)
and the release files outside it (``file_urlpatterns``, included by the project's URLconf).

sitemap.xml and robots.txt are language-neutral and live in cso_press/urls.py.
"""

from django.urls import path

from . import feeds, ics, vcards, views
from .views.accessibility import AccessibilityStatementView
from .views.embargo import EmbargoView
from .views.files import AttachmentFileView, DocumentDownloadView, PhotoDownloadView, PhotosZipView

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
    # Machine-readable output: feeds, iCalendar, vCard.
    path("feeds/rss/", feeds.LatestEventsFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestEventsAtomFeed(), name="feed-atom"),
    path("sections/<slug:slug>/feeds/rss/", feeds.SectionEventsFeed(), name="section-feed-rss"),
    path("sections/<slug:slug>/feeds/atom/", feeds.SectionEventsAtomFeed(), name="section-feed-atom"),
    path("calendar.ics", ics.calendar_ics, name="ics"),
    path("sections/<slug:slug>/calendar.ics", ics.section_ics, name="section-ics"),
    path("events/<slug:slug>/event.ics", ics.event_ics, name="event-ics"),
    path("contacts/<slug:slug>.vcf", vcards.contact_vcard, name="contact-vcard"),
    # Journalists' downloads: a release's photos and documents.
    path("events/<slug:slug>/photos.zip", PhotosZipView.as_view(), name="photos-zip"),
    path("events/<slug:slug>/photos/<int:pk>/download/", PhotoDownloadView.as_view(), name="photo-download"),
    path("events/<slug:slug>/documents/<int:pk>/download/", DocumentDownloadView.as_view(), name="document-download"),
    # A release under embargo, opened from a signed link.
    path("embargo/<str:token>/", EmbargoView.as_view(), name="embargo"),
]

# Every stored file of a release (gallery pictures, renditions, documents), outside the language prefix and
# outside MEDIA_URL; each request is checked against the release (events.media.access).
file_urlpatterns = [
    path("files/<int:pk>/<str:variant>/<str:name>", AttachmentFileView.as_view(), name="media-file"),
]
