"""The release page and the list pages measured in Chromium (issue 17, points 1 and 3): where things land on a
wide screen and on a phone, how long a headline and a line of text run, which image a 3x phone loads."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.events.media_samples import plain_jpeg
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhoneNumberFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
SENTENCE = (
    "The delegations reviewed the joint plan for the training of peacekeeping contingents, agreed on the "
    "exchange of information about threats at the external borders and prepared the next session. "
)
LONG_TITLE = (
    "Joint statement of the Ministers of Foreign Affairs of the Member States of the Organisation on the "
    "strengthening of cooperation in countering international terrorism, illegal migration and the illicit "
    "trafficking in narcotic drugs in the region"
)
LONG_TITLE_RU = (
    "Совместное заявление министров иностранных дел государств-членов Организации об укреплении сотрудничества "
    "в противодействии международному терроризму, незаконной миграции и незаконному обороту наркотиков в "
    "регионе Центральной Азии"
)

# Characters of each line box of an element's text (by the top of each character's box), the longest line.
LONGEST_LINE_JS = """(element) => {
  const lines = new Map();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let index = 0; index < node.length; index++) {
      const range = document.createRange();
      range.setStart(node, index);
      range.setEnd(node, index + 1);
      const box = range.getBoundingClientRect();
      if (!box.width && !box.height) continue;
      const top = Math.round(box.top);
      lines.set(top, (lines.get(top) || 0) + 1);
    }
  }
  return Math.max(...lines.values());
}"""
LINE_COUNT_JS = """(element) => {
  const style = getComputedStyle(element);
  return Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight));
}"""


@pytest.fixture
def release(live_server):
    section = SectionFactory(name="Security", slug="security", description=SENTENCE * 3)
    event = EventFactory(
        slug="long-statement",
        title=LONG_TITLE,
        section=section,
        lead=SENTENCE,
        body="".join(f"<p>{SENTENCE * 3}</p>" for _ in range(6)),
        location="Minsk, Palace of Independence",
    )
    cover = PhotoFactory(
        event=event,
        position=1,
        file=ContentFile(plain_jpeg(2400, 1600), name="COVER.JPG"),
        caption="The ministers before the talks.",
        credit="Press Office / A. Photographer",
        alt_text="Ministers standing before the flags",
    )
    PhotoFactory(event=event, position=2, file=ContentFile(plain_jpeg(1600, 1200), name="HALL.JPG"))
    event.cover = cover
    event.save()
    contact = PressContactFactory(name="Viktor Lebedev", slug="viktor-lebedev")
    PhoneNumberFactory(person=contact)
    EventPressContactFactory(event=event, person=contact)
    for number in range(4):
        EventFactory(section=section, starts_at=timezone.now() - timedelta(days=number + 2))
    return live_server.url, event


def open_page(browser, url: str, viewport: dict, **options):
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    return context, page


@pytest.mark.parametrize(("language", "title"), [("en", LONG_TITLE), ("ru", LONG_TITLE_RU)])
def test_a_240_character_official_title_keeps_to_three_lines_at_1280(browser, live_server, language, title):
    assert 230 <= len(title) <= 245
    event = EventFactory(slug="statement", title=title, language=language)

    context, page = open_page(browser, f"{live_server.url}{event.get_absolute_url()}", WIDE)

    assert page.locator("h1").evaluate(LINE_COUNT_JS) <= 3
    context.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_cover_photo_sits_under_the_title_on_the_first_screen(browser, release, viewport):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", viewport)

    title = page.locator("h1").bounding_box()
    cover = page.locator("figure.release-cover img").bounding_box()
    lead = page.locator(".release-lead").bounding_box()
    assert title["y"] + title["height"] < cover["y"] < lead["y"]
    assert cover["y"] < viewport["height"]
    expect(page.locator("figure.release-cover figcaption")).to_contain_text("Photo: Press Office / A. Photographer")
    context.close()


def test_a_3x_phone_loads_the_large_rendition_of_the_cover(browser, release):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", PHONE, device_scale_factor=3)

    image = page.locator("figure.release-cover img")
    expect(image).to_have_js_property("complete", True)
    assert "/large-" in image.evaluate("img => img.currentSrc")
    context.close()


def test_on_a_phone_the_press_contacts_link_is_on_the_first_screen_and_jumps_to_the_contacts(browser, release):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", PHONE)

    jump = page.locator("a.release-jump")
    box = jump.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    assert page.locator("#press-contacts").bounding_box()["y"] > PHONE["height"]  # far below: the link is needed
    jump.click()
    expect(page.locator("#contacts-heading")).to_be_in_viewport()
    expect(page.locator("#press-contacts")).to_contain_text("Viktor Lebedev")
    context.close()


def test_on_a_wide_screen_the_press_contacts_show_beside_the_text_without_the_jump_link(browser, release):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", WIDE)

    expect(page.locator("a.release-jump")).to_be_hidden()
    expect(page.locator("#contacts-heading")).to_be_in_viewport()
    context.close()


def test_on_a_phone_back_links_and_other_events_are_compact(browser, release):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", PHONE)

    # The three back links take at most two short lines above the release.
    assert page.locator(".back-links").bounding_box()["height"] <= 50
    # Each other event is its date and title, not a card: at most four lines of text.
    for item in page.locator(".other-events li").all():
        assert item.bounding_box()["height"] <= 4 * 24
    context.close()


def test_a_thumbnail_opens_the_photo_viewer_on_the_page_not_the_bare_jpeg(browser, release):
    base, event = release
    url = f"{base}{event.get_absolute_url()}"

    context, page = open_page(browser, url, WIDE)
    thumbnail = page.locator("a.gallery-link").nth(1)
    large = thumbnail.get_attribute("href")
    thumbnail.click()

    viewer = page.locator("dialog.photo-viewer")
    expect(viewer).to_be_visible()
    assert page.url == url
    assert viewer.locator("img").evaluate("image => image.src") == f"{base}{large}"
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    context.close()


def test_download_links_say_pixel_and_file_size(browser, release):
    base, event = release

    context, page = open_page(browser, f"{base}{event.get_absolute_url()}", WIDE)

    expect(page.locator("a.gallery-download").first).to_contain_text("Download high resolution, 2400×1600, ")
    expect(page.locator("a.gallery-download").nth(1)).to_contain_text("1600×1200")
    context.close()


def test_on_a_phone_the_filters_are_collapsed_and_the_chips_come_above_the_results(browser, release):
    base, _event = release

    context, page = open_page(browser, f"{base}/en/events/?section=security&kind=press_release", PHONE)

    expect(page.locator("#id_q")).to_be_hidden()
    summary = page.locator("details.filter-details summary")
    expect(summary).to_have_text("Filters (2 in use)")
    chips = page.locator("ul.chips").bounding_box()
    first_result = page.locator(".event-title").first.bounding_box()
    assert summary.bounding_box()["y"] < chips["y"] < first_result["y"] < PHONE["height"]
    summary.click()
    expect(page.locator("#id_q")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["/en/events/", "/en/sections/security/"])
def test_on_a_wide_screen_the_filter_form_is_open_beside_the_results(browser, release, path):
    base, _event = release

    context, page = open_page(browser, f"{base}{path}", WIDE)

    expect(page.locator("#id_q")).to_be_visible()
    expect(page.locator("details.filter-details summary")).to_be_hidden()
    context.close()


def test_running_text_keeps_to_a_readable_line_on_every_page_type(browser, release):
    base, event = release
    person = PersonFactory(slug="anna", bio=SENTENCE * 4)
    EventParticipantFactory(event=event, person=person)
    organization = OrganizationFactory(slug="council", description=SENTENCE * 4)
    event.organizations.add(organization)
    pages = {
        event.get_absolute_url(): [".release-body p", ".release-lead"],
        "/en/events/": [".event-lead"],
        "/en/sections/security/": [".section-description p", ".event-lead"],
        person.get_absolute_url(): [".bio p", ".event-lead"],
        organization.get_absolute_url(): [".bio p"],
        "/en/search/?q=delegations": [".event-lead"],
    }

    context = browser.new_context(viewport=WIDE, locale="en-GB")
    page = context.new_page()
    for path, selectors in pages.items():
        page.goto(f"{base}{path}")
        for selector in selectors:
            longest = page.locator(selector).first.evaluate(LONGEST_LINE_JS)
            assert 40 <= longest <= 75, (path, selector, longest)
    context.close()
