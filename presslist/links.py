"""A journalist's personal embargo link: a signed token naming one press-list send.

The token only names the row; the row's events.EmbargoLink is the authority (revoked or expired: the link is
dead, exactly as an unknown one), so the same token can be shown again and cannot be forged.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from .models import PressSend

SALT = "presslist.link"


def press_token(send: PressSend) -> str:
    return signing.dumps({"send": send.pk}, salt=SALT, compress=False)


def press_link(send: PressSend, language: str) -> str:
    """The absolute address of the journalist's link, its page in ``language``."""
    with translation.override(language):
        path = reverse("presslist:open", kwargs={"token": press_token(send)})
    return settings.CSO_SITE_URL.rstrip("/") + path


def send_from_token(token: str) -> PressSend | None:
    """The embargo send a token names, or None when the token is forged or names nothing."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    send_id = payload.get("send") if isinstance(payload, dict) else None
    if not isinstance(send_id, int):
        return None
    return (
        PressSend.objects.select_related("embargo_link", "journalist")
        .filter(pk=send_id, kind=PressSend.Kind.EMBARGO, embargo_link__isnull=False)
        .first()
    )
