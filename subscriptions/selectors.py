"""Reads about subscribers and addresses that other code (sending, the press list, the admin) relies on."""

from __future__ import annotations

from .addresses import address_hash
from .models import Suppression


def is_suppressed(address: str) -> bool:
    """True when nothing may be sent to this address any more (bounced, complained, or suppressed by staff)."""
    return Suppression.objects.filter(address_hash=address_hash(address)).exists()
