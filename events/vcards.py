"""vCard 3.0 (RFC 2426) for press contacts, built with ``vobject`` so escaping is right.

Each interface language has its own card of a person (``/en/contacts/….vcf``, ``/ru/contacts/….vcf``: the
names, position and organisation differ), so the UID carries the language: an address book that receives both
keeps two contacts instead of one overwriting the other. The first voice number (never a fax) is the preferred
one. Lines are folded at 75 octets as RFC 2426 asks (vobject counts characters, and a Cyrillic character is two
octets).
"""

from __future__ import annotations

import re

import vobject
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .ics import site_host
from .models import Person, PhoneNumber
from .selectors.visibility import current_language

CONTENT_TYPE = "text/vcard; charset=utf-8"
LINE_OCTETS = 75

# The TYPE values address books understand; "tel" is the office landline.
PHONE_TYPES = {
    PhoneNumber.Label.TEL: ["WORK", "VOICE"],
    PhoneNumber.Label.MOBILE: ["CELL", "VOICE"],
    PhoneNumber.Label.FAX: ["WORK", "FAX"],
    PhoneNumber.Label.OTHER: ["VOICE"],
}


def preferred_phone(phones: list[PhoneNumber]) -> PhoneNumber | None:
    """The number a journalist should call: the first that is not a fax (in the staff's order)."""
    return next((phone for phone in phones if phone.label != PhoneNumber.Label.FAX), None)


def person_uid(person: Person, language: str) -> str:
    return f"person-{person.pk}-{language}@{site_host()}"


def fold_line(line: str) -> list[str]:
    """One content line as physical lines of at most 75 octets, never cutting a UTF-8 character in two."""
    pieces, current, size, limit = [], [], 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append("".join(current))
            # A continuation line starts with one space, which counts towards its 75 octets.
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += width
    pieces.append("".join(current))
    return [pieces[0], *(" " + piece for piece in pieces[1:])]


def fold(text: str) -> str:
    """``text`` (CRLF-separated lines, possibly folded by character count) folded by octets instead."""
    unfolded = re.sub(r"\r\n[ \t]", "", text)
    lines = [physical for line in unfolded.split("\r\n") if line for physical in fold_line(line)]
    return "\r\n".join(lines) + "\r\n"


def structured_name(person: Person) -> vobject.vcard.Name:
    """Family and given names: from "Ivanov, Viktor" when the sort name has that form, else the last word."""
    display = person.display_name
    if display == person.name and "," in person.sort_name:
        family, given = (part.strip() for part in person.sort_name.split(",", 1))
        return vobject.vcard.Name(family=family, given=given)
    parts = display.split()
    if len(parts) < 2:
        return vobject.vcard.Name(family=display)
    return vobject.vcard.Name(family=parts[-1], given=" ".join(parts[:-1]))


def person_vcard(person: Person, *, request: HttpRequest) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("n").value = structured_name(person)
    card.add("fn").value = person.display_name
    if person.display_position:
        card.add("title").value = person.display_position
    organization = person.organization
    if organization is not None:
        units = [organization.display_name]
        if organization.parent is not None:
            units.insert(0, organization.parent.display_name)
        card.add("org").value = units
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_paramlist = ["INTERNET", "WORK", "PREF"]
    phones = list(person.phones.all())
    preferred = preferred_phone(phones)
    for phone in phones:
        tel = card.add("tel")
        tel.value = phone.number
        tel.type_paramlist = [*PHONE_TYPES.get(phone.label, ["VOICE"]), *(["PREF"] if phone is preferred else [])]
    card.add("url").value = request.build_absolute_uri(person.get_absolute_url())
    card.add("uid").value = person_uid(person, current_language())
    return card


def contact_vcard(request: HttpRequest, slug: str) -> HttpResponse:
    """The vCard of a press contact; other people in the directory have none."""
    person = get_object_or_404(
        Person.objects.press_contacts()
        .select_related("organization", "organization__parent")
        .prefetch_related("phones"),
        slug=slug,
    )
    response = HttpResponse(fold(person_vcard(person, request=request).serialize()), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{person.slug}.vcf"'
    return response
