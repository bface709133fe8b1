from django.urls import path

from . import views_media

# Photo and document downloads for journalists. Names live in the "events" namespace.
urlpatterns = [
    path("events/<slug:slug>/photos.zip", views_media.PhotosZipView.as_view(), name="photos-zip"),
    path(
        "events/<slug:slug>/photos/<int:pk>/download/",
        views_media.PhotoDownloadView.as_view(),
        name="photo-download",
    ),
    path(
        "events/<slug:slug>/documents/<int:pk>/download/",
        views_media.DocumentDownloadView.as_view(),
        name="document-download",
    ),
]
