from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from events.sitemaps import SITEMAPS, robots_txt

# The admin is not language-prefixed: its language follows the user's choice (cookie) or browser.
urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.CSO_ADMIN_PATH, admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]

urlpatterns += i18n_patterns(
    path("", include("events.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
