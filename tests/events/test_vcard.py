import pytest
import vobject
from django.urls import reverse
from django.utils import translation

from events.models import PhoneNumber
from tests.factories import OrganizationFactory, PersonFactory, PhoneNumberFactory, PressContactFactory

pytestmark = pytest.mark.django_db


def url(slug, language="en"):
    with translation.override(language):
        return reverse("events:contact-vcard", kwargs={"slug": slug})


@pytest.fixture
def contact():
    parent = OrganizationFactory(name="Commonwealth Secretariat", name_ru="Секретариат Содружества")
    organization = OrganizationFactory(name="Press Service", name_ru="Пресс-служба", parent=parent)
    person = PressContactFactory(
        name="Viktor Ivanov",
        name_ru="Виктор Иванов",
        slug="viktor-ivanov",
        position="Press Secretary",
        position_ru="Пресс-секретарь",
        email="ivanov@example.org",
        organization=organization,
    )
    PhoneNumberFactory(person=person, number="+74951234567", label=PhoneNumber.Label.TEL, position=0)
    PhoneNumberFactory(person=person, number="+79161234567", label=PhoneNumber.Label.MOBILE, position=1)
    PhoneNumberFactory(person=person, number="+74951234568", label=PhoneNumber.Label.FAX, position=2)
    return person


def test_vcard_parses_and_holds_name_title_organisation_email_and_every_phone(client, contact):
    response = client.get(url("viktor-ivanov"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="viktor-ivanov.vcf"'
    card = vobject.readOne(response.content.decode())
    assert card.version.value == "3.0"
    assert card.fn.value == "Viktor Ivanov"
    assert (card.n.value.family, card.n.value.given) == ("Ivanov", "Viktor")
    assert card.title.value == "Press Secretary"
    assert card.org.value == ["Commonwealth Secretariat", "Press Service"]
    assert card.email.value == "ivanov@example.org"
    assert [(tel.value, tel.params["TYPE"]) for tel in card.tel_list] == [
        ("+74951234567", ["WORK", "VOICE", "PREF"]),
        ("+79161234567", ["CELL", "VOICE"]),
        ("+74951234568", ["WORK", "FAX"]),
    ]
    assert card.url.value == "http://testserver/en/people/viktor-ivanov/"


def test_russian_vcard_uses_the_russian_name_position_and_organisation(client, contact):
    response = client.get(url("viktor-ivanov", "ru"))

    card = vobject.readOne(response.content.decode())
    assert card.fn.value == "Виктор Иванов"
    assert (card.n.value.family, card.n.value.given) == ("Иванов", "Виктор")
    assert card.title.value == "Пресс-секретарь"
    assert card.org.value == ["Секретариат Содружества", "Пресс-служба"]


def test_vcard_of_a_contact_without_organisation_or_phones_is_still_valid(client):
    PressContactFactory(name="Madonna", slug="madonna", email="", position="")

    card = vobject.readOne(client.get(url("madonna")).content.decode())

    assert card.fn.value == "Madonna"
    assert card.n.value.family == "Madonna"
    assert not hasattr(card, "tel")
    assert not hasattr(card, "org")
    assert not hasattr(card, "email")


def test_people_who_are_not_press_contacts_have_no_vcard(client):
    PersonFactory(slug="just-a-delegate")

    assert client.get(url("just-a-delegate")).status_code == 404
    assert client.get(url("nobody-by-this-name")).status_code == 404


def test_vcard_takes_two_queries_however_many_phones(client, contact, django_assert_num_queries):
    for number in range(10):
        PhoneNumberFactory(person=contact, number=f"+7495765432{number}")

    with django_assert_num_queries(2):
        response = client.get(url("viktor-ivanov"))

    assert len(vobject.readOne(response.content.decode()).tel_list) == 13
