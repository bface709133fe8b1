from django.urls import path

from . import feeds, ics, vcards

# Feeds, iCalendar and vCard routes, inside the language prefix. Names live in the "events" namespace.
# sitemap.xml and robots.txt are language-neutral and live in cso_press/urls.py.
urlpatterns = [
    path("feeds/rss/", feeds.LatestEventsFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.LatestEventsAtomFeed(), name="feed-atom"),
    path("sections/<slug:slug>/feeds/rss/", feeds.SectionEventsFeed(), name="section-feed-rss"),
    path("sections/<slug:slug>/feeds/atom/", feeds.SectionEventsAtomFeed(), name="section-feed-atom"),
    path("calendar.ics", ics.calendar_ics, name="ics"),
    path("sections/<slug:slug>/calendar.ics", ics.section_ics, name="section-ics"),
    path("events/<slug:slug>/event.ics", ics.event_ics, name="event-ics"),
    path("contacts/<slug:slug>.vcf", vcards.contact_vcard, name="contact-vcard"),
]
