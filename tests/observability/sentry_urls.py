"""The site's URLs and one view that fails with an e-mail address and an embargo token in its error."""

from django.urls import path

from cso_press.urls import handler500  # noqa: F401 - the site's own 500 page, as in production
from cso_press.urls import urlpatterns as site_urlpatterns


def failing_notification(request, token):
    address = request.POST.get("email", "")
    raise ValueError(f"Could not notify {address} about the embargo link {token}")


urlpatterns = [path("en/embargo/<str:token>/notify/", failing_notification, name="failing-notification")]
urlpatterns += site_urlpatterns
