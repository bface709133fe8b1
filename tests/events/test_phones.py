import pytest

from events.forms import PhoneNumberForm
from events.models import PhoneNumber
from tests.factories import PressContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("+7 495 123-45-67", "+74951234567", "+7 495 123-45-67"),
        ("+7-495-123-45-67", "+74951234567", "+7 495 123-45-67"),
        ("+ 7-495-765-43-21", "+74957654321", "+7 495 765-43-21"),
        ("8 (495) 123-45-67", "+74951234567", "+7 495 123-45-67"),
        ("+41 22 917 12 34", "+41229171234", "+41 22 917 12 34"),
    ],
)
def test_phone_numbers_as_releases_print_them_are_stored_in_e164(typed, stored, shown):
    person = PressContactFactory()
    form = PhoneNumberForm(data={"label": "tel", "number": typed, "position": 0})
    assert form.is_valid(), form.errors
    phone = form.save(commit=False)
    phone.person = person
    phone.save()
    phone.refresh_from_db()
    assert phone.number == stored
    assert phone.international == shown
    assert phone.tel_uri == f"tel:{stored}"


def test_a_trailing_label_like_tel_or_fax_is_read_as_the_label():
    form = PhoneNumberForm(data={"label": "tel", "number": "+ 7-495-765-43-21-fax", "position": 0})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "+74957654321"
    assert form.cleaned_data["label"] == PhoneNumber.Label.FAX


def test_the_release_style_tel_suffix_is_accepted():
    form = PhoneNumberForm(data={"label": "mobile", "number": "+ 7-495-765-43-21-tel", "position": 0})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["number"] == "+74957654321"


@pytest.mark.parametrize("garbage", ["call me maybe", "12", "+7 495", "++--", "+999 123 456 789"])
def test_garbage_phone_numbers_are_a_form_error(garbage):
    form = PhoneNumberForm(data={"label": "tel", "number": garbage, "position": 0})
    assert not form.is_valid()
    assert "number" in form.errors
