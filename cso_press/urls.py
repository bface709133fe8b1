from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from cso_press.web.health import healthz, readyz
from cso_press.web.metrics import metrics_view
from events.admin.views.trash import trash_view
from events.sitemaps import SITEMAPS, robots_txt
from events.urls import file_urlpatterns

# A database outage that escapes the middleware still answers 503, not 500 (cso_press/web/errors.py).
handler500 = "cso_press.web.errors.server_error"

# The admin is not language-prefixed: its language follows the user's choice (cookie) or browser.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own URLs, which would otherwise read "trash" as an event id.
    path(f"{settings.CSO_ADMIN_PATH}events/event/trash/", admin.site.admin_view(trash_view), name="trash"),
    path(settings.CSO_ADMIN_PATH, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    # Liveness, readiness and the Prometheus scrape (docs/observability.md): no language prefix, never cached.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # The e-mail provider's bounce and complaint reports (django-anymail; subscriptions/webhooks.py).
    path("anymail/", include("subscriptions.webhooks")),
    # A release's photos and documents, each request checked against the release (events.media.access).
    *file_urlpatterns,
]

urlpatterns += i18n_patterns(
    # E-mail alerts: subscribe, confirm, manage, leave (subscriptions/urls.py).
    path("alerts/", include("subscriptions.urls")),
    # Press list: a journalist's personal embargo link, logged on every open (presslist/urls.py).
    path("press/", include("presslist.urls")),
    path("", include("events.urls")),
    prefix_default_language=True,
)

if settings.DEBUG or settings.CSO_SERVE_MEDIA:
    from django.urls import re_path

    from events.media.serving import serve_public_media

    # Only the public folders (portraits, logos); a release's files are never served from MEDIA_URL.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve_public_media)]
