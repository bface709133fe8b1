"""Staff keep the press list in the admin; who a release goes to."""

from datetime import date

import pytest
from django.urls import reverse

from presslist.models import Journalist
from presslist.selectors import matching_journalists
from tests.factories import EventFactory, SectionFactory

from .conftest import make_journalist

pytestmark = pytest.mark.django_db


def add_form(section, **overrides):
    data = {
        "name": "Maria Pressova",
        "outlet": "Evening News",
        "email": "Maria@Evening.example ",
        "phone": "8 (495) 123-45-67",
        "languages": "ru,en",
        "sections": [section.pk],
        "accredited_until": "2031-12-31",
        "active": "on",
        "notes": "Covers security.",
    }
    data.update(overrides)
    return data


def test_an_editor_adds_a_journalist_and_the_phone_is_stored_in_e164(client, editor, section):
    client.force_login(editor)
    response = client.post(reverse("admin:presslist_journalist_add"), add_form(section))
    assert response.status_code == 302
    journalist = Journalist.objects.get()
    assert journalist.email == "Maria@Evening.example"
    assert journalist.phone == "+74951234567"
    assert journalist.language_list == ["ru", "en"]
    assert list(journalist.sections.all()) == [section]
    assert journalist.accredited_until == date(2031, 12, 31)


def test_an_address_already_listed_in_another_case_is_a_form_error(client, editor, section):
    make_journalist(email="maria@evening.example")
    client.force_login(editor)
    response = client.post(reverse("admin:presslist_journalist_add"), add_form(section))
    assert response.status_code == 200
    assert "A journalist with this e-mail address is already on the list." in response.content.decode()
    assert Journalist.objects.count() == 1


def test_a_wrong_phone_number_is_a_form_error(client, editor, section):
    client.force_login(editor)
    response = client.post(reverse("admin:presslist_journalist_add"), add_form(section, phone="call me"))
    assert response.status_code == 200
    assert "is not a phone number" in response.content.decode()
    assert not Journalist.objects.exists()


def test_an_editor_changes_and_deletes_a_journalist(client, editor):
    journalist = make_journalist()
    client.force_login(editor)
    change = reverse("admin:presslist_journalist_change", args=[journalist.pk])
    page = client.get(change)
    assert page.status_code == 200 and "Daily Courier" in page.content.decode()
    data = {
        "name": journalist.name,
        "outlet": "Morning Courier",
        "email": journalist.email,
        "phone": "",
        "languages": "en",
        "accredited_until": "2031-01-01",
        "notes": "",
    }  # "active" left out: unticked
    assert client.post(change, data).status_code == 302
    journalist.refresh_from_db()
    assert (journalist.outlet, journalist.active) == ("Morning Courier", False)
    delete = reverse("admin:presslist_journalist_delete", args=[journalist.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Journalist.objects.exists()


def test_the_list_searches_and_filters_by_outlet_section_language_and_active(client, editor, journalists, section):
    client.force_login(editor)
    url = reverse("admin:presslist_journalist_changelist")

    def names(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(row.name for row in response.context["cl"].result_list)

    assert names({"q": "gazeta"}) == ["Vera Volkova"]
    assert names({"outlet": "Wire"}) == ["Anna Abbot"]
    assert names({"sections__id__exact": section.pk}) == ["Anna Abbot", "Vera Volkova"]
    assert names({"reads": "ru"}) == ["Vera Volkova"]
    assert names({"accreditation": "expired"}) == ["Olga Old"]
    journalists["boris"].active = False
    journalists["boris"].save()
    assert names({"active__exact": "0"}) == ["Boris Brown"]


def test_a_release_goes_to_accredited_readers_of_its_language_who_follow_its_section(journalists, section):
    release = EventFactory(section=section, language="en")
    assert [j.name for j in matching_journalists(release)] == ["Anna Abbot", "Boris Brown"]
    russian = EventFactory(section=section, language="ru")
    assert [j.name for j in matching_journalists(russian)] == ["Vera Volkova"]


def test_following_a_section_covers_its_sub_sections(journalists, section):
    sub = SectionFactory(name="Cyber", slug="cyber", parent=section)
    release = EventFactory(section=sub, language="en")
    assert [j.name for j in matching_journalists(release)] == ["Anna Abbot", "Boris Brown"]


def test_inactive_journalists_are_not_matched(journalists, section):
    journalists["anna"].active = False
    journalists["anna"].save()
    release = EventFactory(section=section, language="en")
    assert [j.name for j in matching_journalists(release)] == ["Boris Brown"]
