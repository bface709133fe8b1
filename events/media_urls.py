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

# Every stored file of a release (gallery pictures, renditions, documents), outside the language prefix and
# outside MEDIA_URL; included by the project's URLconf.
file_urlpatterns = [
    path("files/<int:pk>/<str:variant>/<str:name>", views_media.AttachmentFileView.as_view(), name="media-file"),
]
