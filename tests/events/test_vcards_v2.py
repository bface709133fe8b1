"""vCards an address book keeps apart and dials right: one UID per person and language, a preferred voice
number that is never a fax, and lines folded at 75 octets."""

import pytest
import vobject
from django.urls import reverse
from django.utils import translation

from events.models import PhoneNumber
from events.vcards import fold
from tests.factories import OrganizationFactory, PhoneNumberFactory, PressContactFactory

pytestmark = pytest.mark.django_db


def vcard_text(client, slug, language="en"):
    with translation.override(language):
        response = client.get(reverse("events:contact-vcard", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def contact():
    organization = OrganizationFactory(
        name="Department of Information and Public Relations of the Executive Committee",
        name_ru="Департамент информации и связей с общественностью Исполнительного комитета Содружества",
    )
    return PressContactFactory(
        name="Viktor Ivanov",
        name_ru="Виктор Иванов",
        slug="viktor-ivanov",
        position="Deputy Head of the Press Service",
        position_ru="Заместитель начальника управления по связям с общественностью и средствами массовой информации",
        organization=organization,
    )


def test_the_english_and_russian_cards_of_one_person_import_as_two_contacts(client, contact):
    both = vcard_text(client, "viktor-ivanov", "en") + vcard_text(client, "viktor-ivanov", "ru")

    cards = list(vobject.readComponents(both))

    assert len(cards) == 2
    assert [card.fn.value for card in cards] == ["Viktor Ivanov", "Виктор Иванов"]
    uids = {card.uid.value for card in cards}
    assert len(uids) == 2
    assert all(uid.startswith(f"person-{contact.pk}-") for uid in uids)


def test_the_first_voice_number_is_preferred_and_a_fax_never_is(client, contact):
    PhoneNumberFactory(person=contact, number="+74951234568", label=PhoneNumber.Label.FAX, position=0)
    PhoneNumberFactory(person=contact, number="+79161234567", label=PhoneNumber.Label.MOBILE, position=1)
    PhoneNumberFactory(person=contact, number="+74951234567", label=PhoneNumber.Label.TEL, position=2)

    card = vobject.readOne(vcard_text(client, "viktor-ivanov"))

    types = {tel.value: tel.params["TYPE"] for tel in card.tel_list}
    assert types == {
        "+74951234568": ["WORK", "FAX"],
        "+79161234567": ["CELL", "VOICE", "PREF"],
        "+74951234567": ["WORK", "VOICE"],
    }


def test_a_contact_with_only_a_fax_has_no_preferred_number(client, contact):
    PhoneNumberFactory(person=contact, number="+74951234568", label=PhoneNumber.Label.FAX)

    card = vobject.readOne(vcard_text(client, "viktor-ivanov"))

    assert card.tel.params["TYPE"] == ["WORK", "FAX"]


def test_every_line_of_a_russian_card_is_at_most_75_octets_and_unfolds_to_the_full_text(client, contact):
    text = vcard_text(client, "viktor-ivanov", "ru")

    lines = text.split("\r\n")
    assert text.endswith("\r\n")
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # the long Russian title was folded
    card = vobject.readOne(text)
    assert card.title.value == contact.position_ru
    assert card.org.value == [contact.organization.name_ru]


def test_folding_never_cuts_a_character_in_two():
    line = "NOTE:" + "Ж" * 100 + "x"

    folded = fold(line + "\r\n")

    physical = folded.split("\r\n")[:-1]
    assert [len(part.encode()) for part in physical] == [75, 75, 58]
    assert "".join(part.removeprefix(" ") for part in physical) == line
