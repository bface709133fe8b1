"""Staff upload three photos at once, describe and order them; the public gallery follows (acceptance 8)."""

import pytest
from django.urls import reverse

from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_upload_three_photos_set_alt_text_and_order_and_the_gallery_follows(live_server, page, superuser):
    event = EventFactory(title="Ministerial meeting in Dushanbe", slug="ministerial-meeting-dushanbe")
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")

    page.goto(live_server.url + reverse("admin:events_event_upload_photos", args=[event.pk]))
    page.set_input_files(
        "input[type=file][name=files]",
        [
            {"name": "IMG_0101.JPG", "mimeType": "image/jpeg", "buffer": plain_jpeg(color="#884422")},
            {
                "name": "IMG_0102.JPG",
                "mimeType": "image/jpeg",
                "buffer": camera_jpeg(iptc={(2, 120): "Signing of the joint statement", (2, 80): "Maria Bildova"}),
            },
            {"name": "IMG_0103.JPG", "mimeType": "image/jpeg", "buffer": plain_jpeg(color="#224488")},
        ],
    )
    # With JavaScript each chosen file goes at once on its own request (upload.js); with all three in and
    # none refused, the describe page opens.
    page.wait_for_url("**/photos/")
    rows = page.locator("tr.cso-media-row")
    assert rows.count() == 3
    # Saving without alt text is refused, and the page says why.
    page.click("input[type=submit][value=Save]")
    assert "alt text is required for photos" in page.inner_text("#content-main")

    wanted = {
        "IMG_0101.JPG": ("3", "A delegate reads a statement at the rostrum.", "The closing statement", "Agency A"),
        "IMG_0102.JPG": ("1", "Two ministers sign a document at a desk.", "", ""),
        "IMG_0103.JPG": ("2", "Delegations seated around a round table.", "Round-table talks", "Agency C"),
    }
    for index in range(3):
        row = rows.nth(index)
        name = row.get_attribute("data-original-name")
        position, alt, caption, credit = wanted[name]
        row.locator("input[name$=-position]").fill(position)
        row.locator("textarea[name$=-alt_text]").fill(alt)
        if caption:
            row.locator("textarea[name$=-caption]").fill(caption)
            row.locator("input[name$=-credit]").fill(credit)
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"**/admin/events/event/{event.pk}/change/")

    page.goto(live_server.url + event.get_absolute_url())
    captions = page.locator(".gallery-item .gallery-caption")
    credits = page.locator(".gallery-item .gallery-credit")
    assert captions.count() == credits.count() == 3
    assert [captions.nth(i).inner_text() for i in range(3)] == [
        "Signing of the joint statement",
        "Round-table talks",
        "The closing statement",
    ]
    assert [credits.nth(i).inner_text() for i in range(3)] == [
        "Photo: Maria Bildova / CSO Press Service",  # read from the photo's IPTC by-line and EXIF copyright
        "Photo: Agency C",
        "Photo: Agency A",
    ]
    images = page.locator(".gallery-item img")
    assert [images.nth(i).get_attribute("alt") for i in range(3)] == [
        "Two ministers sign a document at a desk.",
        "Delegations seated around a round table.",
        "A delegate reads a statement at the rostrum.",
    ]
    # The thumbnails really load (renditions were made on upload) and the first links to its large size. They
    # are lazy: each is brought into view, then the page is asked until every image has finished (loaded or
    # failed); only then is "loaded" judged, so a slow machine cannot turn a late image into a failure.
    for index in range(3):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function("Array.from(document.querySelectorAll('.gallery-item img')).every(i => i.complete)")
    assert page.evaluate("Array.from(document.querySelectorAll('.gallery-item img')).every(i => i.naturalWidth > 0)")
    assert page.locator(".gallery-all a").inner_text() == "Download all 3 photos (zip)"
