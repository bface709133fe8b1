"""The site's routes with stand-ins for the alerts' confirm, manage and unsubscribe pages.

Those pages are the "alerts" helper's; until they are merged, sending's tests need the three route names that
every e-mail links to. The one-click unsubscribe stand-in does what RFC 8058 asks of the real one: on POST the
subscriber leaves (sets ``left_at``); a GET changes nothing.
"""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import include, path
from django.urls.resolvers import LocalePrefixPattern, URLResolver
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cso_press import urls as site
from subscriptions import links


def confirm(request, token):
    subscriber = links.read_token(links.CONFIRM, token)
    if subscriber is None:
        return HttpResponse(status=404)
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.save(update_fields=["confirmed_at"])
    return HttpResponse("Confirmed.")


def manage(request, token):
    return HttpResponse(status=200 if links.read_token(links.MANAGE, token) else 404)


@csrf_exempt
def unsubscribe(request, token):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    subscriber = links.read_token(links.UNSUBSCRIBE, token)
    if subscriber is None:
        return HttpResponse(status=404)
    subscriber.left_at = timezone.now()
    subscriber.save(update_fields=["left_at"])
    return HttpResponse("You have left.")


alert_pages = (
    [
        path("confirm/<str:token>/", confirm, name="confirm"),
        path("manage/<str:token>/", manage, name="manage"),
        path("unsubscribe/<str:token>/", unsubscribe, name="unsubscribe"),
    ],
    "subscriptions",
)

urlpatterns = [
    pattern
    for pattern in site.urlpatterns
    if not (isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern))
] + i18n_patterns(path("alerts/", include(alert_pages)), path("", include("events.urls")), prefix_default_language=True)
