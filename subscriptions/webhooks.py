"""The e-mail provider's bounce and complaint reports (django-anymail tracking webhooks, /anymail/<provider>/
tracking/, authenticated by ANYMAIL["WEBHOOK_SECRET"]): a hard bounce, a rejection or a spam complaint puts the
address on the suppression list and marks that message bounced. The receiver is connected in
SubscriptionsConfig.ready(); cso_press/urls.py includes ``urlpatterns`` below at /anymail/.

The routes are anymail's own, each view wrapped so that a report anymail cannot read (broken JSON, a missing
field) is answered 400 rather than 500: the provider sees a plain refusal and the error log stays for errors.
"""

from __future__ import annotations

import copy
import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.signals import tracking
from django.dispatch import receiver
from django.http import HttpResponseBadRequest

from . import services

logger = logging.getLogger(__name__)


@receiver(tracking, dispatch_uid="subscriptions.webhooks.suppress_on_tracking")
def suppress_on_tracking(sender, event, esp_name, **kwargs) -> None:
    services.tracking_event_record(
        event_type=event.event_type,
        recipient=event.recipient or "",
        message_id=event.message_id or "",
        description=f"{esp_name} {event.description or event.reject_reason or ''}".strip(),
    )


def _unreadable_report_is_400(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (ValueError, KeyError) as exc:  # JSON and encoding errors are ValueErrors
            logger.warning("Unreadable e-mail provider report at %s: %s", request.path, exc)
            return HttpResponseBadRequest("Unreadable report.")

    return wrapped


def _wrapped(pattern):
    pattern = copy.copy(pattern)
    pattern.callback = _unreadable_report_is_400(pattern.callback)
    return pattern


app_name = anymail_urls.app_name
urlpatterns = [_wrapped(pattern) for pattern in anymail_urls.urlpatterns]
