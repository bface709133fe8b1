"""Long titles (issue 16, point 3): any title length; a slug of at most 80 characters cut between words and
editable; every download file name at most 100 bytes of UTF-8 and unique inside a zip, so ``unzip`` writes
them all."""

import io
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.text import slugify
from PIL import Image

from demo.plan import build_plan
from events import tasks
from events.media.downloads import FILE_NAME_MAX_BYTES
from events.media.services import attachments_upload
from events.models import Attachment, Event
from events.models.slugs import SLUG_MAX_LENGTH, release_slug, transliterate, unique_slug
from events.services import releases, trash
from tests.events.media_samples import plain_jpeg
from tests.events.roles import user_in
from tests.events.test_workflow import edit_form_data
from tests.factories import EventFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
DAY = "2026-03-14"


def long_title(words: str) -> str:
    return (words * 3)[:240] + "."


ENGLISH_TITLE = long_title(
    "Joint statement of the Council of Foreign Ministers on cooperation in countering international terrorism, "
)
RUSSIAN_TITLE = long_title(
    "Совместное заявление Совета министров иностранных дел о сотрудничестве в противодействии терроризму, "
)
# What a release saved before the rule has: its whole title as its address (issue 16: 240 characters).
LEGACY_SLUG = slugify(ENGLISH_TITLE)


def assert_cut_between_words(slug: str, title: str) -> None:
    whole = slugify(transliterate(title))
    assert len(slug) <= SLUG_MAX_LENGTH
    assert whole.startswith(slug)
    assert whole[len(slug)] == "-"  # the next word was left out whole, none was cut in two
    assert not slug.endswith("-")


def test_the_titles_are_as_long_as_in_the_issue():
    assert len(ENGLISH_TITLE) == len(RUSSIAN_TITLE) == 241
    assert len(LEGACY_SLUG) > 200


# The slug rule ------------------------------------------------------------------------------------------------


def test_a_241_character_english_title_gives_a_slug_of_at_most_80_characters_cut_between_words():
    slug = release_slug(ENGLISH_TITLE)

    assert slug == "joint-statement-of-the-council-of-foreign-ministers-on-cooperation-in-countering"
    assert_cut_between_words(slug, ENGLISH_TITLE)


def test_a_241_character_russian_title_gives_a_latin_slug_cut_between_words():
    slug = release_slug(RUSSIAN_TITLE)

    assert slug == "sovmestnoe-zayavlenie-soveta-ministrov-inostrannykh-del-o-sotrudnichestve-v"
    assert_cut_between_words(slug, RUSSIAN_TITLE)


def test_a_word_that_ends_exactly_at_the_limit_is_kept():
    assert release_slug("x" * 75 + " abcd efg") == "x" * 75 + "-abcd"  # 80 characters, "efg" left out
    assert release_slug("x" * 78 + " bc de") == "x" * 78  # "-bc" would make 81


def test_one_word_longer_than_the_limit_is_cut_and_a_title_without_letters_still_has_a_slug():
    assert release_slug("x" * 300) == "x" * 80
    assert release_slug("!!! ???") == "release"


def test_numbered_slugs_stay_within_the_limit_and_lose_words_not_their_number():
    base = release_slug(ENGLISH_TITLE)
    taken = {base, f"{base[:76]}-2"}

    slug = unique_slug(base, lambda candidate: candidate in taken or candidate.endswith("-2"))

    assert slug == "joint-statement-of-the-council-of-foreign-ministers-on-cooperation-in-3"
    assert len(slug) <= SLUG_MAX_LENGTH


def test_every_slug_of_the_demo_follows_the_rule():
    plan = build_plan()
    for language in ("slug", "slug_ru"):
        slugs = [getattr(item, language) for item in plan if getattr(item, language)]
        assert len(slugs) == len(set(slugs))
        assert all(len(slug) <= SLUG_MAX_LENGTH and not slug.endswith("-") for slug in slugs)
    long_one = next(item for item in plan if len(item.story.en.title) > 100)
    assert long_one.slug == release_slug(long_one.story.en.title)


# The admin and the services -----------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = user_in("Editor")
    client.force_login(user)
    return user


def test_an_editor_saves_a_241_character_title_with_the_slug_the_rule_gives(client, editor):
    release = EventFactory.build(section=SectionFactory(), title=ENGLISH_TITLE, slug=release_slug(ENGLISH_TITLE))

    response = client.post(reverse("admin:events_event_add"), edit_form_data(release, expected_version=""))

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Event.objects.get(title=ENGLISH_TITLE)
    assert saved.slug == "joint-statement-of-the-council-of-foreign-ministers-on-cooperation-in-countering"


def test_the_slug_box_is_filled_by_the_rule_and_limited_to_80_characters(client, editor):
    html = client.get(reverse("admin:events_event_add")).content.decode()

    [slug_input] = re.findall(r"<input[^>]*name=\"slug\"[^>]*>", html)
    assert 'maxlength="80"' in slug_input
    assert 'data-slug-from="id_title"' in slug_input
    assert "cso_admin/release_slug.js" in html
    assert 'data-prepopulated-fields="[]"' in html  # Django's own cuts at the field's length, inside a word


def test_an_editor_may_write_a_slug_of_their_own_but_not_a_longer_one(client, editor):
    release = EventFactory.build(section=SectionFactory(), title=ENGLISH_TITLE, slug="council-statement-terrorism")
    saved = client.post(reverse("admin:events_event_add"), edit_form_data(release, expected_version=""))
    assert saved.status_code == 302
    assert Event.objects.get(title=ENGLISH_TITLE).slug == "council-statement-terrorism"

    too_long = EventFactory.build(section=SectionFactory(), title="Another statement", slug="x-" * 45 + "y")
    response = client.post(reverse("admin:events_event_add"), edit_form_data(too_long, expected_version=""))

    assert response.status_code == 200
    assert "A slug can have at most 80 characters" in response.content.decode()
    assert not Event.objects.filter(title="Another statement").exists()


def test_a_release_saved_before_the_rule_keeps_its_long_address(client, editor):
    """Old slugs are kept, not shortened: their addresses are in mail, feeds and search engines."""
    event = EventFactory(title=ENGLISH_TITLE, slug=LEGACY_SLUG, draft=True)

    response = client.post(
        reverse("admin:events_event_change", args=[event.pk]), edit_form_data(event, lead="A corrected lead.")
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert (event.slug, event.lead) == (LEGACY_SLUG, "A corrected lead.")


def test_a_deleted_release_with_a_long_old_slug_is_restored_at_its_old_address(client, editor):
    event = EventFactory(title=ENGLISH_TITLE, slug=LEGACY_SLUG, draft=True)
    releases.event_delete(event=event, user=editor)
    record = Event.history.filter(id=event.pk, history_type="-").get()

    restored, _contents = trash.event_restore(history_id=record.history_id, user=editor)

    assert Event.objects.get(pk=restored.pk).slug == LEGACY_SLUG


def test_the_translation_of_a_release_with_a_long_old_slug_gets_a_slug_by_the_rule(editor):
    event = EventFactory(title=ENGLISH_TITLE, slug=LEGACY_SLUG)
    EventFactory(language="ru", slug=release_slug(LEGACY_SLUG))

    copy = releases.event_translate(event=event, user=editor)

    assert copy.slug == "joint-statement-of-the-council-of-foreign-ministers-on-cooperation-in-2"
    assert len(copy.slug) <= SLUG_MAX_LENGTH


# Download names -----------------------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(output, "PDF")
    return output.getvalue()


def attachment_filename(response) -> str:
    """The name a browser saves the file under (the plain or the UTF-8 form of Content-Disposition)."""
    header = response["Content-Disposition"]
    encoded = re.search(r"filename\*=utf-8''([^;]+)", header)
    return unquote(encoded.group(1)) if encoded else re.search(r'filename="([^"]+)"', header).group(1)


def unzip(data: bytes, folder: Path) -> list[str]:
    """Run the real ``unzip`` (it refuses names the file system cannot hold) and list what it wrote."""
    archive = folder / "kit.zip"
    archive.write_bytes(data)
    target = folder / "out"
    result = subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
        ["/usr/bin/unzip", "-q", str(archive), "-d", str(target)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(path.name for path in target.iterdir())


@pytest.fixture(params=["en", "ru"])
def long_release(request):
    """A release with a 241-character title in English or Russian, a slug from before the rule (the worst case),
    three photos uploaded under one file name and two documents whose long Cyrillic names are the same."""
    title = ENGLISH_TITLE if request.param == "en" else RUSSIAN_TITLE
    event = EventFactory(title=title, slug=LEGACY_SLUG, language=request.param, starts_at=STARTS, location="Minsk")
    for position, color in enumerate(("#aa0000", "#00aa00", "#0000aa")):
        PhotoFactory(event=event, position=position, file=ContentFile(plain_jpeg(color=color), name="IMG_0001.JPG"))
    document_name = RUSSIAN_TITLE[:120] + ".pdf"
    attachments_upload(
        event=event,
        files=[SimpleUploadedFile(document_name, pdf_bytes()), SimpleUploadedFile(document_name, pdf_bytes())],
    )
    return event


def test_the_press_kit_of_a_long_title_unzips_with_every_file_and_short_unique_names(long_release, tmp_path):
    stored = tasks.build_press_kit(long_release.pk)
    with default_storage.open(stored, "rb") as handle:
        data = handle.read()
    with zipfile.ZipFile(ContentFile(data)) as archive:
        names = archive.namelist()

    written = unzip(data, tmp_path)

    assert len(names) == 4 == len(set(names))  # the captions file and three photos
    assert written == sorted(names)
    assert all(len(name.encode("utf-8")) <= FILE_NAME_MAX_BYTES for name in names)
    assert names[0].startswith(f"{DAY}-joint-statement-of-the-council") and names[0].endswith("-captions.txt")
    assert [name[-7:] for name in names[1:]] == ["-01.jpg", "-02.jpg", "-03.jpg"]


def test_single_downloads_of_a_long_title_have_short_names_and_documents_do_not_share_one(client, long_release):
    photo = long_release.attachments.filter(kind=Attachment.Kind.PHOTO).order_by("position").first()
    documents = list(long_release.attachments.filter(kind=Attachment.Kind.DOCUMENT).order_by("position", "pk"))
    slug = long_release.slug

    photo_response = client.get(reverse("events:photo-download", kwargs={"slug": slug, "pk": photo.pk}))
    zip_response = client.get(reverse("events:photos-zip", kwargs={"slug": slug}))
    document_names = [
        attachment_filename(client.get(reverse("events:document-download", kwargs={"slug": slug, "pk": doc.pk})))
        for doc in documents
    ]

    names = [attachment_filename(photo_response), attachment_filename(zip_response), *document_names]
    assert [len(name.encode("utf-8")) <= FILE_NAME_MAX_BYTES for name in names] == [True] * 4
    assert names[0] == f"{DAY}-{slug}"[:93].rstrip("-") + "-01.jpg"  # 100 bytes less "-01.jpg"
    assert names[1].endswith("-photos.zip")
    assert document_names[0] != document_names[1]
    assert document_names[0].endswith(".pdf") and document_names[1].endswith("-2.pdf")
    assert "Совместное-заявление" in document_names[0]  # the document's own name survives, cut between letters
