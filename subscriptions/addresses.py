"""The one rule for comparing and suppressing e-mail addresses (used by alerts and the press list)."""

from __future__ import annotations

import hashlib


def normalise(address: str) -> str:
    """Addresses compare without surrounding space and case (providers treat the local part case-blind)."""
    return address.strip().lower()


def address_hash(address: str) -> str:
    return hashlib.sha256(normalise(address).encode()).hexdigest()
