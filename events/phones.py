"""Phone numbers as press offices write them, parsed with ``phonenumbers`` and stored in E.164."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Press releases often glue a label onto the number: "+ 7-495-765-43-21-tel", "... (fax)".
_TRAILING_LABEL = re.compile(r"[\s\-–(]*\b(tel|phone|mob|mobile|cell|fax|тел|моб|факс)\b\.?\)?\s*$", re.IGNORECASE)
_LABEL_ALIASES = {
    "tel": "tel", "phone": "tel", "тел": "tel",
    "mob": "mobile", "mobile": "mobile", "cell": "mobile", "моб": "mobile",
    "fax": "fax", "факс": "fax",
}  # fmt: skip


def split_label(raw: str) -> tuple[str, str | None]:
    """Return the number without a trailing label word, and the label it named (if any)."""
    match = _TRAILING_LABEL.search(raw)
    if not match:
        return raw.strip(), None
    return raw[: match.start()].strip(), _LABEL_ALIASES[match.group(1).lower()]


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Parse ``raw`` and return it in E.164 (``+74951234567``), or raise ``ValidationError``."""
    number_text, _label = split_label(raw or "")
    if not number_text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if re.search(r"[A-Za-zА-Яа-я]", number_text):
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": raw})
    try:
        parsed = phonenumbers.parse(number_text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": raw}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number; include the country code, e.g. +7 495 123-45-67."),
            code="invalid",
            params={"value": raw},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def format_international(e164: str) -> str:
    """``+74951234567`` → ``+7 495 123-45-67``; anything unparsable is returned as stored."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
