"""Issue 16, the one-page release editor, as an editor uses it in Chromium: the mouse path and the keyboard path
for a whole release (3 photos, 2 people, a new organisation, a press contact), counted; the page width at 1280
and 390 px; axe-core on the add and change pages; and the screenshots in docs/screenshots/.

How the counting works:

- Page loads: every document the editor's tab asks for (a POST and the redirect that answers it are one load;
  a jump to an anchor on the same page is none).
- Clicks (mouse path): every click goes through ``Counter.click``. Typing into a field (``fill``) and choosing
  files (``set_input_files``, what the operating system's file picker does) are not clicks; opening a select
  (``Counter.select``) is one.
- Key presses (keyboard path): every press of a non-character key (Tab, Enter, Space, arrows, Escape) and every
  shortcut counts one; typed text counts one per field, not one per letter (``Counter.type``). Choosing files
  by keyboard: the file input is focused with Tab and Space opens the system's file picker, where choosing is
  the operating system's business; the test focuses the input, counts that Space, and sets the files.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from events.models import Attachment, Event, Organization
from tests.browser.test_editorial_flow import log_in
from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.events.roles import user_in
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]  # as scripts/check_pages.py
TITLE = "Ministers agree on water cooperation in the basin"


class Counter:
    """Counts the editor's page loads, clicks and key presses (see the module docstring for the rules)."""

    def __init__(self, page):
        self.page = page
        self.loads = 0
        self.clicks = 0
        self.keys = 0
        page.on("request", self._requested)

    def _requested(self, request):
        # A new document for the tab; the redirect that answers a POST is part of the same load.
        if request.is_navigation_request() and request.frame == self.page.main_frame and not request.redirected_from:
            self.loads += 1

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def select(self, locator, **option):
        self.clicks += 1  # opening the select; choosing in the open list is the same gesture here
        locator.select_option(**option)

    def press(self, key):
        self.keys += 1
        self.page.keyboard.press(key)

    def type(self, text):
        self.keys += 1
        self.page.keyboard.type(text)


def photo_files():
    return [
        {
            "name": "talks.jpg",
            "mimeType": "image/jpeg",
            "buffer": camera_jpeg(iptc={(2, 120): "Signing of the joint statement", (2, 80): "Maria Bildova"}),
        },
        {"name": "hall.jpg", "mimeType": "image/jpeg", "buffer": plain_jpeg(color="#406080")},
        {"name": "press.jpg", "mimeType": "image/jpeg", "buffer": plain_jpeg(color="#804060")},
    ]


@pytest.fixture
def directory():
    section = SectionFactory(name="Summits", slug="summits")
    PersonFactory(name="Viktor Ivanov", slug="viktor-ivanov", position="Minister")
    PersonFactory(name="Anna Petrova", slug="anna-petrova", position="Deputy Minister")
    PressContactFactory(name="Olga Smirnova", slug="olga-smirnova")
    return section


@pytest.fixture
def editor_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, user_in("Editor", "editor"))
    yield page
    context.close()


def admin_url(live_server, path):
    return f"{live_server.url}/{settings.CSO_ADMIN_PATH}{path}"


def check_public_page(page, live_server, event):
    page.goto(f"{live_server.url}{event.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text(TITLE)
    main = page.locator("main")
    for text in ("Viktor Ivanov", "Anna Petrova", "Basin Water Council", "Olga Smirnova"):
        expect(main).to_contain_text(text)
    expect(main.locator("img[alt='Ministers shake hands after signing.']")).to_have_count(1)
    # The lead image chosen on the card stands under the title, and keeps its place in the gallery.
    expect(main.locator(".release-cover img[alt='The conference hall, full.']")).to_have_count(1)
    expect(main.locator("img[alt='The conference hall, full.']")).to_have_count(2)


def assert_release_stored():
    event = Event.objects.get(title=TITLE)
    assert event.status == Event.Status.PUBLISHED
    assert [link.person.name for link in event.participant_links.order_by("position")] == [
        "Viktor Ivanov",
        "Anna Petrova",
    ]
    assert [org.name for org in event.organizations.all()] == ["Basin Water Council"]
    assert [person.name for person in event.press_contacts.all()] == ["Olga Smirnova"]
    photos = list(event.attachments.order_by("position"))
    assert [photo.original_name for photo in photos] == ["talks.jpg", "hall.jpg", "press.jpg"]
    assert all(photo.state == Attachment.State.READY for photo in photos)
    assert photos[0].caption == "Signing of the joint statement"  # read from IPTC: the card was left empty
    assert photos[0].credit == "Maria Bildova / CSO Press Service"
    assert [photo.alt_text for photo in photos] == [
        "Ministers shake hands after signing.",
        "The conference hall, full.",
        "Journalists at the press briefing.",
    ]
    assert event.cover_id == photos[1].pk
    assert Organization.objects.filter(name="Basin Water Council").count() == 1
    return event


def test_an_editor_enters_and_publishes_a_whole_release_with_the_mouse_in_few_loads_and_clicks(
    editor_page, live_server, directory
):
    page = editor_page
    count = Counter(page)
    page.goto(admin_url(live_server, "events/event/add/"))

    page.fill("#id_title", TITLE)
    count.select(page.locator("#id_section"), label="Summits")
    page.fill("#id_starts_at_0", "2030-05-04")
    page.fill("#id_starts_at_1", "11:00")
    page.fill("#id_location", "Geneva")
    page.fill("#id_lead", "The ministers of the basin signed a joint statement.")
    count.click(page.locator(".cso-field--body .ProseMirror[contenteditable=true]"))
    page.keyboard.type("The talks lasted three hours.")

    for name in ("Viktor", "Anna"):
        page.fill("#id_people", name)
        count.click(page.locator("#id_people_options [role=option]", has_text=name))
    count.click(page.get_by_role("button", name="New organisation…"))
    page.fill("#id_quick-organization-name", "Basin Water Council")
    count.click(page.locator("#cso-quick-add-organization").get_by_role("button", name="Add", exact=True))
    expect(page.locator("#id_organizations_list")).to_contain_text("Basin Water Council")
    page.fill("#id_contacts", "Olga")
    count.click(page.locator("#id_contacts_options [role=option]", has_text="Olga"))

    page.set_input_files("#cso-files", photo_files())
    cards = page.locator("#cso-cards .cso-card")
    expect(cards).to_have_count(3)
    for index, alt in enumerate(
        ["Ministers shake hands after signing.", "The conference hall, full.", "Journalists at the press briefing."]
    ):
        cards.nth(index).get_by_label("Alt text").fill(alt)
    count.click(cards.nth(1).get_by_label("Lead image"))

    count.click(page.get_by_role("button", name="Save and submit for review"))
    expect(page.locator(".cso-workflow")).to_contain_text("In review")
    expect(page.locator("#cso-cards .cso-card img")).to_have_count(3)  # processed: thumbnails, not "Processing…"
    count.click(page.get_by_role("link", name="Force publish"))
    page.fill("#id_note", "Agreed with the head of the press office by phone.")
    count.click(page.get_by_role("button", name="Force publish"))
    expect(page.locator(".cso-workflow")).to_contain_text("Published")

    event = assert_release_stored()
    check_public_page(page, live_server, event)
    print(f"mouse path: {count.clicks} clicks, {count.loads} page loads")
    assert count.loads <= 5, count.loads
    assert count.clicks <= 15, count.clicks


def test_an_editor_enters_and_publishes_the_same_release_with_the_keyboard_alone(editor_page, live_server, directory):
    page = editor_page
    count = Counter(page)
    page.goto(admin_url(live_server, "events/event/add/"))
    expect(page.locator("#id_title")).to_be_focused()  # the admin puts the cursor in the first field

    def tab(times=1):
        for _ in range(times):
            count.press("Tab")

    count.type(TITLE)
    tab()
    count.type("Summits")  # a focused select jumps to the option typed
    tab(4)  # kind, language, slug, start date
    count.type("2030-05-04")
    tab()
    count.type("11:00")
    tab(4)  # end date, end time, all day, place
    count.type("Geneva")
    tab(2)  # time zone, lead
    count.type("The ministers of the basin signed a joint statement.")
    tab(2)  # the formatting toolbar (one stop), the body
    expect(page.locator(".cso-field--body .ProseMirror[contenteditable=true]")).to_be_focused()
    count.type("The talks lasted three hours.")

    tab()
    expect(page.locator("#id_people")).to_be_focused()
    for name in ("Viktor", "Anna"):
        count.type(name)
        expect(page.locator("#id_people_options [aria-selected=true]")).to_contain_text(name)
        count.press("Enter")
    tab(3)  # "New person…", organisations, "New organisation…"
    count.press("Enter")
    expect(page.locator("#id_quick-organization-name")).to_be_focused()
    count.type("Basin Water Council")
    count.press("Enter")
    expect(page.locator("#id_organizations_list")).to_contain_text("Basin Water Council")
    expect(page.locator("#id_organizations")).to_be_focused()
    tab(2)  # "New organisation…", contacts
    count.type("Olga")
    expect(page.locator("#id_contacts_options [aria-selected=true]")).to_contain_text("Olga")
    count.press("Enter")

    tab(2)  # "New press contact…", the file input
    expect(page.locator("#cso-files")).to_be_focused()
    # The browser opens its file dialog a moment after the key; on a loaded CI machine (two browsers at once)
    # that moment once passed Playwright's default 15 s, so the wait has a longer deadline.
    with page.expect_file_chooser(timeout=60_000) as chooser:
        count.press("Space")
    chooser.value.set_files(photo_files())
    expect(page.locator("#cso-cards .cso-card")).to_have_count(3)

    tab()  # first card: alt text
    count.type("Ministers shake hands after signing.")
    tab(3)  # caption, credit, lead image (the group of lead-image buttons is one Tab stop, as radio buttons are)
    count.press("ArrowDown")  # the second photo's "Lead image": chosen, and the focus is now in its card
    expect(page.locator("#cso-cards .cso-card").nth(1).get_by_label("Lead image")).to_be_checked()
    for _ in range(3):  # credit, caption, alt text of the second card
        count.press("Shift+Tab")
    count.type("The conference hall, full.")
    tab(7)  # caption, credit, lead image, earlier, later, remove, the third card's alt text
    count.type("Journalists at the press briefing.")
    tab(6)  # caption, credit, earlier, later, remove, "Save and submit for review"
    expect(page.locator("input[name=_submit_for_review]")).to_be_focused()
    count.press("Enter")

    expect(page.locator(".cso-workflow")).to_contain_text("In review")
    # The new page's scripts have run (a key pressed while it still loads lands wherever the browser is).
    page.wait_for_load_state("load")
    tab()  # "Skip to main content"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    count.press("Enter")
    tab()  # the first workflow button: the publication panel comes first in the content
    expect(page.get_by_role("link", name="Force publish")).to_be_focused()
    count.press("Enter")
    page.locator("#id_note").wait_for()
    tab()  # "Skip to main content"
    count.press("Enter")
    tab()
    expect(page.locator("#id_note")).to_be_focused()
    count.type("Agreed with the head of the press office by phone.")
    tab()
    count.press("Enter")
    expect(page.locator(".cso-workflow")).to_contain_text("Published")

    event = assert_release_stored()
    check_public_page(page, live_server, event)
    print(f"keyboard path: {count.keys} key presses, {count.loads} page loads")
    assert count.keys <= 80, count.keys
    assert count.loads <= 5, count.loads


LONG_TITLE = (
    "Joint statement of the ministers for water, energy and the environment of the basin states on the "
    "shared management of transboundary rivers, the protection of wetlands and the early warning of floods "
    "and droughts, adopted at the eleventh session"
)

# Every element that reaches past the right edge of the viewport, unless a box that scrolls or clips holds it.
OVERFLOWING = """(root) => {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) {
        return box.getBoundingClientRect().right <= width + 1;
      }
    }
    return false;
  };
  return Array.from(document.querySelectorAll(root + " *"))
    .filter((element) => {
      const rect = element.getBoundingClientRect();
      return rect.width > 0 && rect.right > width + 1 && !clipped(element);
    })
    .map((element) => element.tagName + "#" + element.id + "." + element.className);
}"""


@pytest.fixture
def release_with_photos(directory):
    event = EventFactory(
        title=LONG_TITLE,
        slug="joint-statement-on-transboundary-rivers",
        section=directory,
        draft=True,
        location="Geneva, Palais des Nations",
        starts_at=datetime(2030, 5, 4, 9, 0, tzinfo=UTC),  # fixed, so the screenshots do not change by the day
    )
    for position, (name, color) in enumerate(
        [("talks.jpg", "#406080"), ("hall.jpg", "#804060"), ("press.jpg", "#608040")]
    ):
        PhotoFactory(event=event, position=position, file=ContentFile(plain_jpeg(color=color), name=name))
    return event


def axe_findings(page):
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:3]]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def editor_pages(live_server, event):
    return {
        "add": admin_url(live_server, "events/event/add/"),
        "change": admin_url(live_server, f"events/event/{event.pk}/change/"),
    }


def test_the_editor_fits_1280_px_without_scrolling_sideways_with_a_long_title_and_three_photos(
    editor_page, live_server, release_with_photos
):
    page = editor_page
    for name, url in editor_pages(live_server, release_with_photos).items():
        page.goto(url)
        page.evaluate("document.fonts.ready.then(() => true)")  # the toolbar's icon font sets its width
        if name == "add":
            page.fill("#id_title", LONG_TITLE)
        else:
            expect(page.locator("#cso-cards .cso-card img")).to_have_count(3)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
        assert page.evaluate(OVERFLOWING, "body") == [], name
        title = page.locator("#id_title").bounding_box()
        assert title["width"] >= 600, name  # was 274 px
        assert title["height"] > 60, name  # the long title wraps onto more lines instead of scrolling


def test_the_editor_is_usable_at_390_px_nothing_wider_than_the_screen(browser, live_server, release_with_photos):
    """The page's content; the admin's header and top navigation are the "a11y" part of issue 16."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, user_in("Editor", "editor"))
    for name, url in editor_pages(live_server, release_with_photos).items():
        page.goto(url)
        page.evaluate("document.fonts.ready.then(() => true)")  # the toolbar's icon font sets its width
        assert page.evaluate(OVERFLOWING, "#content") == [], name
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_or_critical_problem_on_the_add_and_change_pages(
    browser, live_server, release_with_photos, width
):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, user_in("Editor", "editor"))
    for name, url in editor_pages(live_server, release_with_photos).items():
        page.goto(url)
        page.locator(".cso-field--body .ProseMirror[aria-labelledby]").wait_for()
        assert axe_findings(page) == [], name
    # The search list open, then the quick-add dialog open.
    page.fill("#id_people", "a")
    page.locator("#id_people_options [role=option]").first.wait_for()
    assert axe_findings(page) == [], "search list"
    page.keyboard.press("Escape")
    page.get_by_role("button", name="New person…").click()
    expect(page.locator("#cso-quick-add-person")).to_be_visible()
    assert axe_findings(page) == [], "dialog"
    context.close()


def test_the_body_editor_is_named_spell_checked_in_the_release_language_and_shows_its_focus(
    editor_page, live_server, release_with_photos
):
    page = editor_page
    page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
    body = page.get_by_role("textbox", name="Body")
    expect(body).to_have_attribute("spellcheck", "true")
    expect(body).to_have_attribute("lang", "en")
    for field in ("#id_title", "#id_lead"):
        expect(page.locator(field)).to_have_attribute("spellcheck", "true")
    body.focus()
    assert body.evaluate("node => getComputedStyle(node).outlineStyle") == "solid"
    page.select_option("#id_language", "ru")
    expect(body).to_have_attribute("lang", "ru")
    expect(page.locator("#id_title")).to_have_attribute("lang", "ru")


def test_all_day_hides_the_times_and_the_release_saves_with_a_date_alone(editor_page, live_server, release_with_photos):
    page = editor_page
    page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
    page.check("#id_all_day")
    expect(page.locator("#id_starts_at_1")).to_be_hidden()
    page.fill("#id_starts_at_0", "2030-05-04")
    page.select_option("#id_time_zone", "Europe/Moscow")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    release_with_photos.refresh_from_db()
    assert release_with_photos.all_day is True
    assert release_with_photos.starts_at.isoformat() == "2030-05-03T21:00:00+00:00"


def test_photos_dropped_on_the_change_page_upload_at_once_and_save_with_the_release(
    editor_page, live_server, release_with_photos
):
    page = editor_page
    page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
    page.set_input_files("#cso-files", photo_files()[:1])
    cards = page.locator("#cso-cards .cso-card")
    expect(cards).to_have_count(4)
    new_card = page.locator("#cso-cards .cso-card:has(input[name='attachments-3-id'])")  # the fourth form
    expect(new_card.locator("img")).to_have_count(1)  # processed (tasks run at once in tests)
    expect(new_card.get_by_label("Caption")).to_have_value("Signing of the joint statement")  # from IPTC
    new_card.get_by_label("Alt text").fill("Ministers sign the statement.")
    new_card.get_by_role("button", name="Move earlier").click()
    new_card.get_by_role("button", name="Move earlier").click()
    new_card.get_by_label("Lead image").check()
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    release_with_photos.refresh_from_db()
    photos = list(release_with_photos.attachments.order_by("position"))
    assert [photo.original_name for photo in photos] == ["talks.jpg", "talks.jpg", "hall.jpg", "press.jpg"]
    assert photos[1].alt_text == "Ministers sign the statement."
    assert release_with_photos.cover_id == photos[1].pk


def test_screenshots_of_the_editor_at_1280_and_390_px(browser, live_server, release_with_photos):
    """Writes docs/screenshots/release-editor-{1280,390}.png (full page, the change page with three photos)."""
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
        page = context.new_page()
        log_in(page, live_server, user_in("Editor", "editor"))
        page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
        expect(page.locator("#cso-cards .cso-card img")).to_have_count(3)
        page.evaluate("document.fonts.ready.then(() => true)")
        target = SCREENSHOTS / f"release-editor-{width}.png"
        image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)
        assert Image.open(target).size[0] >= width
        context.close()


def test_the_dialog_offers_an_existing_organisation_and_people_are_reordered_then_ctrl_s_saves(
    editor_page, live_server, release_with_photos
):
    OrganizationFactory(name="OSCE", slug="osce", short_name="ORG0")
    page = editor_page
    page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
    for name in ("Viktor", "Anna"):
        page.fill("#id_people", name)
        page.locator("#id_people_options [role=option]", has_text=name).click()
    page.get_by_role("button", name="Move up: Anna Petrova, Deputy Minister").click()
    expect(page.locator("#id_people_list .cso-pick-text")).to_have_text(
        ["Anna Petrova, Deputy Minister", "Viktor Ivanov, Minister"]
    )

    page.get_by_role("button", name="New organisation…").click()
    dialog = page.locator("#cso-quick-add-organization")
    dialog.get_by_label("Name", exact=True).fill("osce")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(dialog).to_contain_text("This may already be in the directory:")
    expect(dialog.get_by_role("button", name="Create anyway")).to_be_visible()
    dialog.get_by_role("button", name="Use this one").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#id_organizations_list .cso-pick-text")).to_have_text(["OSCE (ORG0)"])

    page.keyboard.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    release_with_photos.refresh_from_db()
    assert [link.person.name for link in release_with_photos.participant_links.order_by("position")] == [
        "Anna Petrova",
        "Viktor Ivanov",
    ]
    assert [org.name for org in release_with_photos.organizations.all()] == ["OSCE"]
    assert Organization.objects.filter(name__iexact="osce").count() == 1


DROP_FILES = """([name, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/jpeg" }));
  const zone = document.getElementById("cso-photos");
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
}"""


def test_a_photo_dropped_on_the_release_page_is_uploaded_and_becomes_a_card(
    editor_page, live_server, release_with_photos
):
    page = editor_page
    page.goto(admin_url(live_server, f"events/event/{release_with_photos.pk}/change/"))
    page.evaluate(DROP_FILES, ["dropped.jpg", base64.b64encode(plain_jpeg(color="#aa5500")).decode()])

    card = page.locator("#cso-cards .cso-card", has_text="dropped.jpg")
    expect(card.locator("img")).to_have_count(1)
    assert release_with_photos.attachments.filter(original_name="dropped.jpg").count() == 1


def test_files_chosen_on_the_add_page_can_be_removed_and_reordered_before_the_save(editor_page, live_server, directory):
    page = editor_page
    page.goto(admin_url(live_server, "events/event/add/"))
    page.fill("#id_title", TITLE)
    page.select_option("#id_section", label="Summits")
    page.fill("#id_starts_at_0", "2030-05-04")
    page.check("#id_all_day")
    page.set_input_files("#cso-files", photo_files())
    cards = page.locator("#cso-cards .cso-card")
    expect(cards).to_have_count(3)
    cards.nth(0).get_by_role("button", name="Remove: talks.jpg").click()
    expect(cards).to_have_count(2)
    page.get_by_role("button", name="Move earlier: press.jpg").click()
    expect(page.locator("#cso-cards .cso-card-name")).to_have_text(["press.jpg", "hall.jpg"])
    for card, alt in zip(
        cards.all(), ["Journalists at the press briefing.", "The conference hall, full."], strict=True
    ):
        card.get_by_label("Alt text").fill(alt)
    cards.nth(1).get_by_label("Lead image").check()
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    event = Event.objects.get(title=TITLE)
    photos = list(event.attachments.order_by("position"))
    assert [(photo.original_name, photo.alt_text) for photo in photos] == [
        ("press.jpg", "Journalists at the press briefing."),
        ("hall.jpg", "The conference hall, full."),
    ]
    assert event.cover_id == photos[1].pk
