"""The project's URLs plus Django serving MEDIA_URL, as in DEBUG or with DJANGO_SERVE_MEDIA=1."""

from django.urls import re_path

from cso_press.urls import urlpatterns as project_urlpatterns
from events.media.serving import serve_public_media

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve_public_media),
    *project_urlpatterns,
]
