"""The e-mail provider's bounce and complaint reports (django-anymail tracking webhooks, /anymail/<provider>/
tracking/, authenticated by ANYMAIL["WEBHOOK_SECRET"]): a hard bounce, a rejection or a spam complaint puts the
address on the suppression list and marks that message bounced. Connected in SubscriptionsConfig.ready()."""

from __future__ import annotations

from anymail.signals import tracking
from django.dispatch import receiver

from . import services


@receiver(tracking, dispatch_uid="subscriptions.webhooks.suppress_on_tracking")
def suppress_on_tracking(sender, event, esp_name, **kwargs) -> None:
    services.tracking_event_record(
        event_type=event.event_type,
        recipient=event.recipient or "",
        message_id=event.message_id or "",
        description=f"{esp_name} {event.description or event.reject_reason or ''}".strip(),
    )
