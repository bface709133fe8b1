import pytest
from django.urls import reverse

from events.models import Person, PhoneNumber
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PhoneNumberFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_everything():
    event = EventFactory()
    EventParticipantFactory(event=event)
    contact = EventPressContactFactory(event=event).person
    PhoneNumberFactory(person=contact)
    photo = PhotoFactory(event=event)
    return {
        "event": event,
        "section": event.section,
        "organization": OrganizationFactory(),
        "person": contact,
        "attachment": photo,
    }


MODELS = ["event", "section", "organization", "person", "attachment"]


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_add_and_change_pages_open(admin_client_logged_in, one_of_everything, model):
    obj = one_of_everything[model]
    for url in (
        reverse(f"admin:events_{model}_changelist"),
        reverse(f"admin:events_{model}_add"),
        reverse(f"admin:events_{model}_change", args=[obj.pk]),
    ):
        response = admin_client_logged_in.get(url)
        # Files are added only on a release's upload page, which checks them by content.
        expected = 403 if url == reverse("admin:events_attachment_add") else 200
        assert response.status_code == expected, url


def test_admin_search_and_filters_keep_only_the_matching_releases(admin_client_logged_in, one_of_everything):
    wanted = one_of_everything["event"]
    other_title = EventFactory(title="Briefing on water security").title
    draft_title = EventFactory(title=f"{wanted.title} (draft copy)", draft=True).title
    url = reverse("admin:events_event_changelist")

    searched = admin_client_logged_in.get(url, {"q": wanted.title}).context["cl"]
    filtered = admin_client_logged_in.get(url, {"q": wanted.title, "status__exact": "published"}).context["cl"]

    assert {event.title for event in searched.result_list} == {wanted.title, draft_title}
    assert [event.title for event in filtered.result_list] == [wanted.title]
    assert other_title not in {event.title for event in searched.result_list}


def test_garbage_phone_in_the_person_admin_is_a_form_error_not_a_500(admin_client_logged_in):
    section = SectionFactory()  # noqa: F841 - the admin needs nothing else
    response = admin_client_logged_in.post(
        reverse("admin:events_person_add"),
        {
            "name": "Viktor Ivanov",
            "slug": "viktor-ivanov",
            "is_press_contact": "on",
            "email": "press@example.org",
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "0",
            "phones-0-label": "tel",
            "phones-0-number": "not a phone",
            "phones-0-position": "0",
        },
    )
    assert response.status_code == 200
    assert "is not a phone number" in response.content.decode()
    assert not Person.objects.filter(slug="viktor-ivanov").exists()


def test_person_admin_stores_release_style_numbers_in_e164(admin_client_logged_in):
    response = admin_client_logged_in.post(
        reverse("admin:events_person_add"),
        {
            "name": "Viktor Ivanov",
            "slug": "viktor-ivanov",
            "position": "Press Secretary",
            "is_press_contact": "on",
            "email": "press@example.org",
            "phones-TOTAL_FORMS": "2",
            "phones-INITIAL_FORMS": "0",
            "phones-0-label": "tel",
            "phones-0-number": "+7-495-123-45-67",
            "phones-0-position": "0",
            "phones-1-label": "tel",
            "phones-1-number": "+ 7-495-765-43-21-fax",
            "phones-1-position": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(slug="viktor-ivanov")
    assert [(p.number, p.label) for p in person.phones.all()] == [
        ("+74951234567", PhoneNumber.Label.TEL),
        ("+74957654321", PhoneNumber.Label.FAX),
    ]


def test_admin_is_available_in_russian(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Администрирование" in response.content.decode() or "Выйти" in response.content.decode()
