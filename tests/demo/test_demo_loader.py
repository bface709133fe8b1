"""``manage.py load_demo``: the amounts issue 2 promises, the printed account, and that a second run changes nothing.

Loading draws about a hundred photos, so the module loads the demo once (twice, for the idempotence check)
inside a transaction that is rolled back when the module is done, with its own media folder.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cso_press.accounts.models import BackupCodeDevice
from demo.plan import build_plan
from demo.services import DEMO_PASSWORD, demo_accounts_ensure
from events.models import (
    Attachment,
    AuditLogEntry,
    EmbargoLink,
    Event,
    EventParticipant,
    Organization,
    Person,
    PhoneNumber,
    Section,
)
from events.selectors.identity import IDENTITY_KEY, site_identity

CREDENTIALS = re.compile(r"username:\s*(\S+)\s+password:\s*(\S+)")
CAMERA_NAME = re.compile(r"^[A-Z0-9]{2,3}_\d{4,5}\.JPG$")


@dataclass
class LoadedDemo:
    media_root: Path
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    files_after_first: dict[str, int]
    files_after_second: dict[str, int]


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _files(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_size for path in root.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("demo-media")
    # Frozen at the real current moment so that both runs see the same "today" even around midnight.
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        time_machine.travel(timezone.now(), tick=False),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first, second = io.StringIO(), io.StringIO()
            call_command("load_demo", stdout=first)
            counts_first, files_first = _row_counts(), _files(media_root)
            call_command("load_demo", stdout=second)
            yield LoadedDemo(
                media_root=media_root,
                first_output=first.getvalue(),
                second_output=second.getvalue(),
                counts_after_first=counts_first,
                counts_after_second=_row_counts(),
                files_after_first=files_first,
                files_after_second=_files(media_root),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo_media(demo, settings):
    """Tests that open files read them from the folder the demo was loaded into."""
    settings.MEDIA_ROOT = demo.media_root
    return demo.media_root


# ---------------------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.django_db
def test_sections_have_four_top_level_and_two_sub_sections_in_both_languages(demo):
    top = Section.objects.filter(parent__isnull=True)
    subs = Section.objects.filter(parent__isnull=False)
    assert top.count() >= 4
    assert 1 <= subs.count() <= 2
    for section in Section.objects.all():
        assert section.name and section.name_ru and section.description and section.description_ru, section.slug
    assert all(section.default_press_contacts.exists() for section in Section.objects.all())


@pytest.mark.django_db
def test_organisations_are_many_kinds_with_parents_countries_and_websites(demo):
    organisations = Organization.objects.all()
    assert organisations.count() >= 12
    assert set(organisations.values_list("kind", flat=True)) >= {
        Organization.Kind.INTERNATIONAL,
        Organization.Kind.STATE,
        Organization.Kind.GOVERNMENT,
        Organization.Kind.AGENCY,
        Organization.Kind.MEDIA,
    }
    assert organisations.filter(parent__isnull=False).count() >= 3
    assert organisations.exclude(country="").count() >= 10
    assert organisations.exclude(website="").count() >= 8
    assert Organization.objects.get(slug="cso-secretariat").parent.short_name == "CSO"


@pytest.mark.django_db
def test_people_have_russian_names_positions_organisations_and_bios(demo):
    people = Person.objects.all()
    assert people.count() >= 20
    for person in people:
        assert person.name_ru and person.position and person.position_ru and person.bio, person.slug
        assert person.organization_id is not None, person.slug


@pytest.mark.django_db
def test_press_contacts_have_email_and_up_to_three_phones_stored_in_e164(demo):
    contacts = Person.objects.press_contacts()
    assert contacts.count() >= 3
    for contact in contacts:
        assert contact.email.endswith("@cso.example.org")
        assert 1 <= contact.phones.count() <= 3
    numbers = PhoneNumber.objects.filter(person__in=contacts)
    assert all(re.fullmatch(r"\+\d{10,15}", phone.number) for phone in numbers)
    assert set(numbers.values_list("label", flat=True)) == {"tel", "mobile", "fax"}
    spokesman = Person.objects.get(slug="viktor-lebedev")
    # Typed as in the release: "+7-495-123-45-67", "+ 7-495-765-43-21-tel", "+7-495-123-45-70-fax".
    assert [(phone.number, phone.label, phone.international) for phone in spokesman.phones.all()] == [
        ("+74951234567", "tel", "+7 495 123-45-67"),
        ("+74957654321", "tel", "+7 495 765-43-21"),
        ("+74951234570", "fax", "+7 495 123-45-70"),
    ]


@pytest.mark.django_db
def test_ninety_events_spread_from_sixteen_months_ago_to_three_months_ahead(demo):
    english = Event.objects.filter(language="en")
    assert english.count() >= 90
    today = timezone.localdate()
    first = timezone.localdate(english.order_by("starts_at").first().starts_at)
    last = timezone.localdate(english.order_by("-starts_at").first().starts_at)
    assert first <= today - timedelta(days=15 * 30)
    assert last >= today + timedelta(days=80)
    months = {(event.starts_at.year, event.starts_at.month) for event in english}
    assert len(months) >= 18
    assert set(english.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert english.filter(all_day=True).count() >= 5
    multi_day = [event for event in english.filter(ends_at__isnull=False) if event.is_multi_day]
    assert len(multi_day) >= 5


@pytest.mark.django_db
def test_events_read_like_releases_with_lead_place_paragraphs_and_a_quote(demo):
    for event in Event.objects.all():
        assert event.lead and event.location, event.slug
        assert event.body.count("<p>") >= 3, event.slug
        assert "<blockquote>" in event.body, event.slug
    assert Event.objects.filter(body__contains="<h2>").count() >= 10
    assert Event.objects.filter(location="Minsk, Palace of Independence").exists()


@pytest.mark.django_db
def test_every_status_is_present_with_consistent_dates(demo):
    now = timezone.now()
    events = Event.objects.all()
    assert events.filter(status=Event.Status.DRAFT).count() >= 4
    assert events.filter(status=Event.Status.IN_REVIEW).count() >= 2
    scheduled = events.filter(status=Event.Status.PUBLISHED, publish_at__gt=now)
    assert scheduled.count() >= 3
    assert not scheduled.filter(first_published_at__isnull=False).exists()
    public = events.public()
    assert public.count() >= 80
    assert not public.filter(first_published_at__isnull=True).exists()
    withdrawn = events.filter(status=Event.Status.WITHDRAWN)
    assert 1 <= withdrawn.count() <= 2
    for event in withdrawn:
        assert event.withdrawn_at and event.withdrawal_reason and event.first_published_at
    assert not events.filter(status__in=["draft", "in_review"], publish_at__isnull=False).exists()


@pytest.mark.django_db
def test_published_reports_appear_a_few_hours_after_the_event_they_describe(demo):
    past = Event.objects.public().filter(starts_at__lt=timezone.now(), kind=Event.Kind.NEWS)
    assert past.count() >= 30
    for event in past:
        assert timedelta(0) < event.publish_at - event.starts_at <= timedelta(hours=5), event.slug


@pytest.mark.django_db
def test_russian_versions_share_the_translation_key_and_have_their_own_slug_and_text(demo):
    russian = Event.objects.filter(language="ru")
    assert russian.count() >= 12
    for event in russian:
        original = Event.objects.get(translation_key=event.translation_key, language="en")
        assert event.slug != original.slug
        assert re.search("[а-яА-Я]", event.title) and re.search("[а-яА-Я]", event.body), event.slug
        # City names keep their capital letter inside a sentence ("в Москве", never "В москве").
        assert not re.search(r"\b(москв|минск|астан|бишкек|душанбе|ереван)", event.title + event.body), event.slug
        assert event.starts_at == original.starts_at
        assert event.status == original.status
        assert list(event.participants.values_list("pk", flat=True)) == list(
            original.participants.values_list("pk", flat=True)
        )


@pytest.mark.django_db
def test_most_events_list_ordered_participants_organisations_and_press_contacts(demo):
    events = Event.objects.all()
    total = events.count()
    assert events.filter(participant_links__isnull=False).distinct().count() >= total * 0.8
    assert events.filter(organizations__isnull=False).distinct().count() >= total * 0.9
    assert events.filter(press_contact_links__isnull=False).distinct().count() >= total * 0.9
    for event in events.filter(participant_links__isnull=False).distinct()[:20]:
        positions = list(EventParticipant.objects.filter(event=event).values_list("position", flat=True))
        assert positions == list(range(len(positions)))


# ---------------------------------------------------------------------------------------------------------
# Photos and documents


@pytest.mark.django_db
def test_about_fifty_events_have_one_to_four_photos_with_the_first_as_cover(demo):
    with_photos = Event.objects.filter(language="en", attachments__kind="photo").distinct()
    assert 45 <= with_photos.count() <= 60
    for event in with_photos:
        photos = list(event.attachments.filter(kind="photo").order_by("position"))
        assert 1 <= len(photos) <= 4, event.slug
        assert event.cover_id == photos[0].pk, event.slug


@pytest.mark.django_db
def test_photos_are_drawn_jpegs_with_camera_names_credits_and_descriptions(demo, demo_media):
    photos = Attachment.objects.filter(kind=Attachment.Kind.PHOTO)
    assert photos.count() >= 60
    sizes = set()
    for photo in photos:
        assert CAMERA_NAME.match(photo.original_name), photo.original_name
        assert photo.credit.startswith(("CSO Press Service / ", "Пресс-служба ОБС / "))
        assert len(photo.alt_text) > 40 and photo.caption
        with photo.file.open("rb"), Image.open(photo.file) as image:
            assert image.format == "JPEG"
            sizes.add(image.size)
            # Drawn, not blank: many colours and a wide range of brightness in every channel.
            assert image.getcolors(maxcolors=512) is None, photo.original_name
            assert all(high - low > 100 for low, high in image.getextrema()), photo.original_name
    assert sizes == {(1600, 1067), (1067, 1600)}


@pytest.mark.django_db
def test_some_releases_carry_a_pdf_document(demo, demo_media):
    documents = Attachment.objects.filter(kind=Attachment.Kind.DOCUMENT)
    assert documents.count() >= 3
    for document in documents:
        assert document.title and document.original_name.endswith(".pdf")
        with document.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"


# ---------------------------------------------------------------------------------------------------------
# Accounts and the admin


@pytest.mark.django_db
def test_output_lists_the_counts_the_admin_url_and_the_editor_credentials(demo):
    output = demo.first_output
    assert "http://127.0.0.1:8000/admin/" in output
    assert re.search(r"events\s+1\d\d\b", output)
    assert ("editor", DEMO_PASSWORD) in CREDENTIALS.findall(output)


def _admin_models():
    # Backup codes moved to the project's sign-in app (cso_press.accounts); their admin pages are still opened.
    return [model for model in admin.site._registry if model._meta.app_label in {"events", "accounts"}]


@pytest.mark.django_db
def test_printed_account_opens_changelist_add_and_change_page_of_every_events_model(demo, demo_media, client):
    username, password = "admin", dict(CREDENTIALS.findall(demo.first_output))["admin"]
    assert client.login(username=username, password=password)
    user = get_user_model().objects.get(username=username)
    event = Event.objects.filter(language="en", status=Event.Status.PUBLISHED).first()
    # The demo writes no audit entries or embargo links; one of each gives their change pages something to show.
    AuditLogEntry.objects.create(action="events.event.published", event=event, object_repr=event.title)
    EmbargoLink.objects.create(event=event, label="Demo agency", expires_at=timezone.now() + timedelta(days=1))
    BackupCodeDevice.objects.create(user=user, name="Backup codes")  # nobody in the demo has two-factor login
    request = RequestFactory().get("/")
    request.user = user
    for model in _admin_models():
        info = (model._meta.app_label, model._meta.model_name)
        obj = model._default_manager.first()
        assert obj is not None, f"{model.__name__} has no row to open"
        # A list of one row (the site identity) opens that row.
        response = client.get(reverse("admin:{}_{}_changelist".format(*info)), follow=True)
        assert response.status_code == 200, model.__name__
        expected_add = 200 if admin.site._registry[model].has_add_permission(request) else 403
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == expected_add, model.__name__
        response = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        assert response.status_code == 200, model.__name__
    assert {model.__name__ for model in _admin_models()} >= {"Event", "Section", "Organization", "Person", "Attachment"}


@pytest.mark.django_db
def test_editor_account_is_staff_in_the_editor_role_and_admin_is_the_superuser(demo):
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser and editor.is_active
    assert list(editor.groups.values_list("name", flat=True)) == ["Editor"]
    assert editor.check_password(DEMO_PASSWORD)
    administrator = get_user_model().objects.get(username="admin")
    assert administrator.is_staff and administrator.is_superuser and administrator.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_role_accounts_join_their_groups_when_the_groups_exist():
    for name in ("Author", "Editor", "Photo and contacts staff", "Administrator"):
        Group.objects.get_or_create(name=name)
    accounts = {account.username: account for account in demo_accounts_ensure()}
    assert set(accounts) == {"editor", "author", "photo", "admin"}
    user_model = get_user_model()
    assert list(user_model.objects.get(username="editor").groups.values_list("name", flat=True)) == ["Editor"]
    assert list(user_model.objects.get(username="admin").groups.values_list("name", flat=True)) == ["Administrator"]
    assert list(user_model.objects.get(username="author").groups.values_list("name", flat=True)) == ["Author"]
    assert not user_model.objects.get(username="author").is_superuser
    assert list(user_model.objects.get(username="photo").groups.values_list("name", flat=True)) == [
        "Photo and contacts staff"
    ]


@pytest.mark.django_db
def test_without_role_groups_only_the_editor_account_is_made():
    Group.objects.filter(name__in=["Author", "Photo and contacts staff"]).delete()
    get_user_model().objects.filter(username__in=["author", "photo"]).delete()  # in case the demo is loaded
    accounts = demo_accounts_ensure()
    assert [account.username for account in accounts] == ["editor", "admin"]
    assert not get_user_model().objects.filter(username__in=["author", "photo"]).exists()


@pytest.mark.django_db
def test_a_changed_demo_password_is_restored_so_the_printed_credentials_work(client):
    demo_accounts_ensure()
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("something else entirely")
    editor.is_superuser = True  # as older demos made it
    editor.save()
    demo_accounts_ensure()
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert client.login(username="editor", password=DEMO_PASSWORD)


# ---------------------------------------------------------------------------------------------------------
# Idempotence and determinism


@pytest.mark.django_db
def test_second_run_changes_no_row_count_of_any_model(demo):
    assert demo.counts_after_second == demo.counts_after_first
    assert demo.counts_after_first["events.Event"] >= 90


@pytest.mark.django_db
def test_second_run_writes_no_file_and_reports_nothing_created_or_updated(demo):
    assert demo.files_after_second == demo.files_after_first
    assert len(demo.files_after_first) >= 60
    assert "0 events created, 0 updated" in demo.second_output
    assert "0 files written" in demo.second_output


@pytest.mark.django_db
def test_rerun_keeps_an_editors_change_and_refresh_restores_the_written_text(demo, demo_media):
    event = Event.objects.filter(language="en", participant_links__isnull=False).distinct().first()
    written_title = event.title
    participants = list(event.participant_links.values_list("person_id", flat=True))
    event.title = "Edited by someone trying the admin"
    event.save()
    event.participant_links.all().delete()

    output = io.StringIO()
    call_command("load_demo", stdout=output)
    event.refresh_from_db()
    assert event.title == "Edited by someone trying the admin"
    assert not event.participant_links.exists()
    assert "0 events created, 0 updated" in output.getvalue()

    output = io.StringIO()
    call_command("load_demo", "--refresh", stdout=output)
    event.refresh_from_db()
    assert event.title == written_title
    assert list(event.participant_links.values_list("person_id", flat=True)) == participants
    assert "0 events created, 1 updated" in output.getvalue()
    assert _files(demo_media) == demo.files_after_first


@pytest.mark.django_db
def test_refresh_on_a_later_day_moves_the_calendar_along_without_new_rows_or_files(demo, demo_media):
    slug = Event.objects.filter(language="en").order_by("starts_at").first().slug
    before = Event.objects.get(language="en", slug=slug).starts_at
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        call_command("load_demo", "--refresh", "--quiet", stdout=io.StringIO())
    assert Event.objects.get(language="en", slug=slug).starts_at == before + timedelta(days=3)
    counts = _row_counts()
    counts.pop("events.HistoricalEvent")  # each moved release gets one history entry, as any edit would
    expected = dict(demo.counts_after_second)
    expected.pop("events.HistoricalEvent")
    assert counts == expected
    assert _files(demo_media) == demo.files_after_first


@pytest.mark.django_db
def test_media_folder_stays_under_forty_megabytes(demo):
    assert sum(demo.files_after_first.values()) < 40 * 1024 * 1024


def test_plan_is_the_same_every_time():
    first, second = build_plan(), build_plan()
    assert [(item.slug, item.day, item.status, len(item.photos)) for item in first] == [
        (item.slug, item.day, item.status, len(item.photos)) for item in second
    ]
    assert len({item.slug for item in first}) == len(first)


@pytest.mark.django_db
def test_the_demo_office_has_its_own_name_and_footer_in_both_languages(demo, client):
    # The demo's row was written before this test; every test starts with the empty site's identity cached.
    cache.delete(IDENTITY_KEY)

    assert site_identity("en").name == "CSO Press Service"
    assert site_identity("ru").name == "Пресс-служба ОБС"
    assert "Commonwealth Security Organisation, Moscow." in site_identity("en").footer
    assert "<title>CSO Press Service — " in client.get("/en/").content.decode()
