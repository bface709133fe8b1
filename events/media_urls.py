from django.urls import path  # noqa: F401

# Photo and document downloads for journalists. Names live in the "events" namespace.
urlpatterns = []
