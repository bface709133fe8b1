"""vCard 3.0 (RFC 2426) for press contacts, built with ``vobject`` so escaping and folding are right."""

from __future__ import annotations

import vobject
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .ics import site_host
from .models import Person, PhoneNumber

CONTENT_TYPE = "text/vcard; charset=utf-8"

# The TYPE values address books understand; "tel" is the office landline.
PHONE_TYPES = {
    PhoneNumber.Label.TEL: ["WORK", "VOICE"],
    PhoneNumber.Label.MOBILE: ["CELL", "VOICE"],
    PhoneNumber.Label.FAX: ["WORK", "FAX"],
    PhoneNumber.Label.OTHER: ["VOICE"],
}


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
    for phone in person.phones.all():
        tel = card.add("tel")
        tel.value = phone.number
        tel.type_paramlist = PHONE_TYPES.get(phone.label, ["VOICE"])
    card.add("url").value = request.build_absolute_uri(person.get_absolute_url())
    card.add("uid").value = f"person-{person.pk}@{site_host()}"
    return card


def contact_vcard(request: HttpRequest, slug: str) -> HttpResponse:
    """The vCard of a press contact; other people in the directory have none."""
    person = get_object_or_404(
        Person.objects.press_contacts()
        .select_related("organization", "organization__parent")
        .prefetch_related("phones"),
        slug=slug,
    )
    response = HttpResponse(person_vcard(person, request=request).serialize(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{person.slug}.vcf"'
    return response
