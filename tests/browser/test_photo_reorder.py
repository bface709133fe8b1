"""Staff reorder photos by dragging or with the arrow buttons; the order is saved and the gallery follows."""

import pytest
from django.urls import reverse

from events.models import Attachment
from tests.factories import EventFactory, PhotoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["first.jpg", "second.jpg", "third.jpg"]


@pytest.fixture
def event_with_photos():
    event = EventFactory(title="Summit photo call", slug="summit-photo-call")
    for position, name in enumerate(NAMES):
        PhotoFactory(event=event, position=position, original_name=name, alt_text=f"Photo {name}", caption=name)
    return event


def sign_in_and_open(page, live_server, event):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.goto(live_server.url + reverse("admin:events_event_photos", args=[event.pk]))


def shown_order(page) -> list[str]:
    return page.eval_on_selector_all("tr.cso-media-row", "rows => rows.map(row => row.dataset.originalName)")


def positions(page) -> list[str]:
    return page.eval_on_selector_all("tr.cso-media-row input[name$='-position']", "fields => fields.map(f => f.value)")


def saved_order(event) -> list[str]:
    return list(
        Attachment.objects.filter(event=event).order_by("position", "pk").values_list("original_name", flat=True)
    )


def test_arrow_buttons_and_dragging_reorder_the_photos_and_saving_keeps_it(
    live_server, page, superuser, event_with_photos
):
    sign_in_and_open(page, live_server, event_with_photos)
    assert shown_order(page) == NAMES
    first_row = page.locator("tr.cso-media-row").first
    assert first_row.get_by_role("button", name="Move up: first.jpg").is_disabled()

    # Keyboard: focus "Move down" on the first photo and press Enter.
    page.get_by_role("button", name="Move down: first.jpg").focus()
    page.keyboard.press("Enter")
    assert shown_order(page) == ["second.jpg", "first.jpg", "third.jpg"]
    assert positions(page) == ["1", "2", "3"]
    assert page.inner_text("#cso-reorder-status") == "first.jpg is now at position 2."

    # Mouse: drag the third photo onto the top half of the first row.
    third = page.locator("tr.cso-media-row[data-original-name='third.jpg']")
    top = page.locator("tr.cso-media-row").first
    third.drag_to(top, target_position={"x": 40, "y": 4})
    assert shown_order(page) == ["third.jpg", "second.jpg", "first.jpg"]
    assert positions(page) == ["1", "2", "3"]

    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"**/admin/events/event/{event_with_photos.pk}/change/")
    assert saved_order(event_with_photos) == ["third.jpg", "second.jpg", "first.jpg"]
    page.goto(live_server.url + event_with_photos.get_absolute_url())
    captions = page.locator(".gallery-item .gallery-caption")
    assert [captions.nth(i).inner_text() for i in range(3)] == ["third.jpg", "second.jpg", "first.jpg"]


def test_after_a_refused_save_the_rows_show_the_typed_order_and_keep_the_typed_numbers(
    live_server, page, superuser, event_with_photos
):
    sign_in_and_open(page, live_server, event_with_photos)
    rows = page.locator("tr.cso-media-row")
    for index, position in enumerate(["3", "1", "2"]):
        rows.nth(index).locator("input[name$=-position]").fill(position)
    rows.nth(0).locator("textarea[name$=-alt_text]").fill("")
    page.click("input[type=submit][value=Save]")

    assert "Please correct the errors below." in page.inner_text("#content-main")
    assert shown_order(page) == ["second.jpg", "third.jpg", "first.jpg"]
    assert positions(page) == ["1", "2", "3"]
    assert saved_order(event_with_photos) == NAMES
