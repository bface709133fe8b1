from django.urls import path  # noqa: F401

# Feeds, iCalendar, vCard, sitemap and robots.txt routes. Names live in the "events" namespace.
urlpatterns = []
