"""A release's files follow the release: every file address ever shown for it (gallery src and srcset, the
large-photo links, downloads, the zip, documents, the social image) stops answering once the release is not
public to that client any more, and none of them is reachable at a public /media/ address meanwhile."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.embargo import embargo_path
from events.media.links import ORIGINAL, file_url
from events.media.stored import stored_names
from events.models import Attachment, Event
from events.services import embargo_links, releases
from tests.events.media_samples import plain_jpeg
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    UserFactory,
)
from tests.storage.s3 import both_backends, fetch

# With MEDIA_URL served as in the demo (and as a web server would), so that no path to a file is missed.
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.media_urlconf")]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
URL_ATTRIBUTES = {"src", "href", "content", "srcset"}


class _Links(HTMLParser):
    """Every address in src, srcset, href and meta content attributes, and in the JSON-LD block."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name not in URL_ATTRIBUTES or not value:
                continue
            if name == "srcset":
                self.urls += [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]
            else:
                self.urls.append(value)
        self._in_json = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_endtag(self, tag):
        self._in_json = False

    def handle_data(self, data):
        if self._in_json and data.strip():
            images = json.loads(data).get("image", [])
            self.urls += images if isinstance(images, list) else [images]


def page_links(html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    return {_local(url) for url in parser.urls if _local(url)}


def _local(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
        return ""
    if not parts.path.startswith("/"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def file_links(html: str) -> set[str]:
    """The addresses that deliver a release's stored files."""
    return {
        url
        for url in page_links(html)
        if url.startswith(("/files/", "/media/"))
        or "/photos/" in url
        or "/documents/" in url
        or url.split("?")[0].endswith("photos.zip")
    }


@pytest.fixture
def editor():
    return UserFactory(username="editor", is_superuser=True)


@pytest.fixture
def release():
    """A release with two photos (every rendition) and a document, as journalists get it."""
    event = EventFactory(slug="summit", title="Summit", first_published_at=timezone.now() - timedelta(hours=1))
    for position in range(2):
        PhotoFactory(event=event, position=position, file=ContentFile(plain_jpeg(), name=f"p{position}.jpg"))
    Attachment(
        event=event, kind=Attachment.Kind.DOCUMENT, file=ContentFile(PDF, name="Final_communique.pdf"), position=5
    ).save()
    event.cover = event.attachments.filter(kind=Attachment.Kind.PHOTO).first()
    event.save()
    return event


def every_file_url(event: Event, query: str = "") -> set[str]:
    """The checked address of every stored file of ``event``: each attachment's own file and every rendition."""
    urls = set()
    for attachment in event.attachments.all():
        urls.add(file_url(attachment, ORIGINAL, attachment.file.name) + query)
        for size, entry in attachment.renditions.items():
            if isinstance(entry, dict):
                urls |= {file_url(attachment, f"{size}-{key}", entry[key]) + query for key in ("jpeg", "webp")}
    assert len(urls) == 2 * 9 + 1
    return urls


def assert_all_answer(client, urls, status=200):
    # A file in a bucket answers with a redirect there; the browser's status is the bucket's.
    answers = {url: fetch(client, url)[0] for url in sorted(urls)}
    assert answers == dict.fromkeys(sorted(urls), status)


def assert_none_answers(client, urls):
    answers = {url: client.get(url).status_code for url in sorted(urls)}
    assert {url: code for url, code in answers.items() if code not in (403, 404)} == {}


def public_file_links(client, event: Event) -> set[str]:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    urls = file_links(response.content.decode())
    # Per photo: the thumbnail, medium and large renditions in JPEG and WebP (the srcset candidates of the lead
    # image and the gallery, and the viewer's link), and the social image (og:image, JSON-LD).
    assert len([url for url in urls if url.startswith("/files/")]) == 2 * 7
    assert {url for url in urls if "/download/" in url or url.endswith("photos.zip")} == {
        *(
            reverse("events:photo-download", kwargs={"slug": event.slug, "pk": photo.pk})
            for photo in event.attachments.filter(kind="photo")
        ),
        reverse("events:photos-zip", kwargs={"slug": event.slug}),
        *(
            reverse("events:document-download", kwargs={"slug": event.slug, "pk": document.pk})
            for document in event.attachments.filter(kind="document")
        ),
    }
    return urls | every_file_url(event)


def withdraw(event, editor):
    releases.event_withdraw(event=event, user=editor, reason="Published by mistake.")


def unpublish(event, editor):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT, publish_at=None)


def reschedule(event, editor):
    Event.objects.filter(pk=event.pk).update(publish_at=timezone.now() + timedelta(days=2))


def delete(event, editor):
    event.delete()


@pytest.mark.parametrize("hide", [withdraw, unpublish, reschedule, delete])
@both_backends
def test_every_file_address_of_a_public_release_stops_answering_once_it_is_not_public(
    media_backend, client, release, editor, hide
):
    urls = public_file_links(client, release)
    assert_all_answer(client, urls)

    hide(release, editor)

    assert_none_answers(Client(), urls)


@both_backends
def test_a_public_release_has_no_file_in_the_public_media_folder(media_backend, client, release):
    urls = public_file_links(client, release)

    assert not [url for url in urls if url.startswith("/media/")]
    names = [name for attachment in release.attachments.all() for name in stored_names(attachment)]
    assert len(names) == 2 * 9 + 1
    assert all(name.startswith("private/") for name in names)
    if media_backend is not None:
        assert media_backend.keys() == sorted(names)  # in the bucket, and nothing else there


@both_backends
def test_files_of_a_draft_are_not_served_at_their_storage_paths(media_backend, client, release):
    Event.objects.filter(pk=release.pk).update(status=Event.Status.DRAFT, publish_at=None)

    names = [name for attachment in release.attachments.all() for name in stored_names(attachment)]

    assert len(names) == 2 * 9 + 1
    assert_none_answers(client, [f"/media/{name}" for name in names])


@pytest.fixture
def embargoed(release, editor):
    Event.objects.filter(pk=release.pk).update(publish_at=timezone.now() + timedelta(days=1))
    release.refresh_from_db()
    link = embargo_links.embargo_link_create(
        event=release, user=editor, expires_at=timezone.now() + timedelta(hours=6), label="Agency"
    )
    return release, link


def embargo_file_links(client, link) -> set[str]:
    response = client.get(embargo_path(link))
    assert response.status_code == 200
    assert "EMBARGOED UNTIL" in response.content.decode()
    urls = file_links(response.content.decode())
    assert len([url for url in urls if url.startswith("/files/")]) == 2 * 7  # as on the public page
    grant = next(url for url in urls if "?access=" in url).split("?")[1]
    return urls | every_file_url(link.event, "?" + grant)


@both_backends
def test_an_embargo_page_shows_its_files_only_to_the_link_holder_and_revoking_ends_them(
    media_backend, embargoed, editor
):
    event, link = embargoed
    journalist = Client()
    urls = embargo_file_links(journalist, link)
    assert_all_answer(journalist, urls)
    # The same addresses without the link's grant are nobody's.
    assert_none_answers(Client(), {url.split("?")[0] for url in urls})

    embargo_links.embargo_link_revoke(link=link, user=editor)

    assert_none_answers(journalist, urls)


def test_embargo_file_addresses_end_when_the_link_expires(embargoed):
    event, link = embargoed
    journalist = Client()
    urls = embargo_file_links(journalist, link)

    with time_machine.travel(link.expires_at + timedelta(seconds=1), tick=False):
        assert_none_answers(journalist, urls)


@both_backends
def test_embargo_file_addresses_end_when_the_release_is_withdrawn_or_deleted(media_backend, embargoed, editor):
    event, link = embargoed
    journalist = Client()
    urls = embargo_file_links(journalist, link)

    Event.objects.filter(pk=event.pk).update(status=Event.Status.WITHDRAWN)
    assert_none_answers(journalist, urls)

    event.delete()
    assert_none_answers(journalist, urls)


def test_an_embargo_grant_opens_only_the_files_of_its_own_release(embargoed, editor):
    event, link = embargoed
    other = EventFactory(scheduled=True, slug="other-secret")
    secret = PhotoFactory(event=other)
    journalist = Client()
    grant = next(url for url in embargo_file_links(journalist, link) if "?access=" in url).split("?")[1]
    thumb = secret.renditions["thumb"]["jpeg"].rsplit("/", 1)[-1]

    response = journalist.get(f"/files/{secret.pk}/thumb-jpeg/{thumb}?{grant}")

    assert response.status_code == 404


@both_backends
def test_staff_preview_files_answer_staff_only_and_end_when_the_release_is_deleted(
    media_backend, admin_client_logged_in, release
):
    Event.objects.filter(pk=release.pk).update(status=Event.Status.DRAFT, publish_at=None)
    response = admin_client_logged_in.get(reverse("admin:events_event_preview", args=[release.pk]))
    urls = file_links(response.content.decode())
    assert len([url for url in urls if url.startswith("/files/")]) == 2 * 7  # as on the public page
    urls |= every_file_url(release)

    assert_all_answer(admin_client_logged_in, urls)
    assert_none_answers(Client(), urls)

    release.delete()
    assert_none_answers(admin_client_logged_in, urls)


def test_public_files_may_be_kept_by_browsers_and_embargoed_ones_never(client, embargoed):
    event, link = embargoed
    journalist = Client()
    private = next(url for url in embargo_file_links(journalist, link) if url.startswith("/files/"))
    private_response = journalist.get(private)

    Event.objects.filter(pk=event.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    public_response = client.get(private.split("?")[0])

    assert private_response["Cache-Control"] == "private, no-store, max-age=0"
    assert public_response.status_code == 200
    assert public_response["Cache-Control"] == "public, max-age=3600"
    assert public_response["X-Content-Type-Options"] == "nosniff"
    assert public_response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_web_server_can_send_the_bytes_when_an_accel_prefix_is_set(client, release, settings):
    settings.CSO_MEDIA_ACCEL_PREFIX = "/_protected_media/"
    document = release.attachments.get(kind="document")

    response = client.get(reverse("events:document-download", kwargs={"slug": release.slug, "pk": document.pk}))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected_media/{document.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_public_documents_are_linked_through_the_checked_download(client, release):
    document = release.attachments.get(kind="document")

    html = client.get(release.get_absolute_url()).content.decode()

    download = reverse("events:document-download", kwargs={"slug": release.slug, "pk": document.pk})
    assert f'<a href="{download}" download>' in html
    assert document.file.name not in html


@both_backends
def test_a_withdrawn_release_page_links_nothing_that_answers_404(media_backend, client, release, editor):
    person = PersonFactory(slug="only-here", name="Only Here")
    EventParticipantFactory(event=release, person=person)
    release.organizations.add(OrganizationFactory(slug="only-here-too", name="Only Here Too"))
    withdraw(release, editor)

    response = client.get(release.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "This release was withdrawn on" in html
    assert "Only Here" in html and "Only Here Too" in html  # still named, just not linked
    links = {url for url in page_links(html) if not url.startswith("/static/")}
    answers = {url: client.get(url).status_code for url in sorted(links)}
    assert {url: code for url, code in answers.items() if code == 404} == {}
    assert file_links(html) == set()


def test_a_document_recorded_with_a_markup_type_before_the_checks_goes_out_as_bytes(client, release):
    document = release.attachments.get(kind="document")
    Attachment.objects.filter(pk=document.pk).update(content_type="text/html")

    response = client.get(reverse("events:document-download", kwargs={"slug": release.slug, "pk": document.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
