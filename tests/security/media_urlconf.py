"""The project's URLs plus Django serving MEDIA_URL, as in DEBUG or with DJANGO_SERVE_MEDIA=1."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from cso_press.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", lambda request, path: serve(request, path, document_root=settings.MEDIA_ROOT)),
    *project_urlpatterns,
]
