"""Many files at once with progress, and photo states that change on the editor's screen (issue 15, point 2)."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from events.media import uploads
from events.media.services import attachments_upload, render_photo
from events.models import Attachment
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLOURS = ["#aa0000", "#00aa00", "#0000aa", "#aaaa00", "#00aaaa", "#aa00aa"]


def sign_in(page, live_server):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")


def test_twelve_picked_and_two_dropped_files_upload_with_progress_and_a_refused_one_says_why(
    live_server, page, superuser
):
    event = EventFactory()
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("admin:events_event_upload_photos", args=[event.pk]))
    assert page.locator("#cso-drop-zone").is_visible()

    picked = [
        {"name": f"IMG_{n:04d}.JPG", "mimeType": "image/jpeg", "buffer": plain_jpeg(320, 240, COLOURS[n % 6])}
        for n in range(12)
    ]
    picked.insert(5, {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"Just some text, not a photo.\n" * 9})
    page.set_input_files("input[type=file][name=files]", picked)
    # Two more dropped on the zone, as a file manager's drag and drop delivers them.
    dropped = [base64.b64encode(plain_jpeg(300, 200, colour)).decode() for colour in COLOURS[:2]]
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            files.forEach((data, index) => {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], `DROP_${index}.JPG`, {type: "image/jpeg"}));
            });
            return transfer;
        }""",
        dropped,
    )
    page.dispatch_event("#cso-drop-zone", "drop", {"dataTransfer": transfer})

    items = page.locator("#cso-upload-list li")
    page.wait_for_function(
        "() => document.querySelectorAll('#cso-upload-list li').length === 15 && "
        "Array.from(document.querySelectorAll('#cso-upload-list li')).every("
        "  (li) => li.dataset.state === 'done' || li.dataset.state === 'refused')",
        timeout=60_000,
    )
    states = {
        items.nth(i).locator(".cso-upload-name").inner_text(): items.nth(i).get_attribute("data-state")
        for i in range(15)
    }
    assert states.pop("notes.jpg") == "refused"
    assert set(states.values()) == {"done"} and len(states) == 14
    refused = page.locator("#cso-upload-list li[data-state=refused] .cso-upload-status").inner_text()
    assert refused.startswith("“notes.jpg” was not accepted: its content is not a JPEG, PNG or WebP image")
    # Every bar is full, the overall one too, and the summary counts.
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#cso-upload-list progress')).every((p) => p.value === p.max)"
    )
    overall = "(() => { const p = document.getElementById('cso-upload-overall'); return p.value === p.max })()"
    assert page.evaluate(overall)
    assert page.inner_text("#cso-upload-summary") == "15 of 15 files sent, 1 refused."
    assert page.locator("#cso-upload-next a").is_visible()
    names = set(Attachment.objects.filter(event=event).values_list("original_name", flat=True))
    assert names == {f"IMG_{n:04d}.JPG" for n in range(12)} | {"DROP_0.JPG", "DROP_1.JPG"}


def test_the_describe_page_shows_processing_then_the_thumbnail_or_the_failure_without_a_reload(
    live_server, page, superuser, settings, monkeypatch
):
    # A worker's place is taken by the test: the photos wait in "processing" until it processes them.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(uploads, "send_render_photo", lambda pk, **kwargs: None)
    event = EventFactory()
    broken = plain_jpeg(800, 600)
    with transaction.atomic():
        good, bad = attachments_upload(
            event=event,
            files=[
                _upload("GOOD.JPG", plain_jpeg(640, 480)),
                _upload("BROKEN.JPG", broken[: len(broken) // 2]),
            ],
        )
    sign_in(page, live_server)
    page.goto(live_server.url + reverse("admin:events_event_photos", args=[event.pk]))
    cells = page.locator(".cso-photo-state")
    assert [cells.nth(i).inner_text() for i in range(2)] == ["Processing…", "Processing…"]

    render_photo(attachment_id=good.pk)
    render_photo(attachment_id=bad.pk)

    good_cell = page.locator(f".cso-photo-state[data-photo-id='{good.pk}']")
    bad_cell = page.locator(f".cso-photo-state[data-photo-id='{bad.pk}']")
    good_cell.locator("img").wait_for()
    bad_cell.locator(".cso-failed").wait_for()
    page.wait_for_function(
        f"() => document.querySelector(\".cso-photo-state[data-photo-id='{good.pk}'] img\").naturalWidth > 0"
    )
    assert (
        bad_cell.locator(".cso-failed")
        .inner_text()
        .startswith("Failed: “BROKEN.JPG” was not accepted: the image is damaged or incomplete")
    )
    # "Try again" sends it back to processing.
    bad_cell.locator("button.cso-retry").click()
    page.wait_for_url("**/photos/")
    bad.refresh_from_db()
    assert bad.state == Attachment.State.PROCESSING
    assert page.locator(f".cso-photo-state[data-photo-id='{bad.pk}']").inner_text() == "Processing…"


def _upload(name, data):
    return SimpleUploadedFile(name, data, "image/jpeg")
