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
from django.conf import settings
from django.core import checks
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


@checks.register(checks.Tags.security, deploy=True)
def webhook_secret_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Sending through a provider (an anymail backend) without a webhook secret: anyone could report bounces."""
    if not settings.EMAIL_BACKEND.startswith("anymail.") or settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return []
    return [
        checks.Warning(
            "E-mail goes through a provider (anymail), but ANYMAIL_WEBHOOK_SECRET is not set: anyone could report "
            "bounces and complaints and so stop alerts to any address.",
            hint='Set ANYMAIL_WEBHOOK_SECRET to a random "user:password" and give it to the provider\'s webhook.',
            id="subscriptions.W001",
        )
    ]


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
