"""The public pages in a real browser: back navigation, filter chips, phone layout, no console errors under the CSP."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import EventFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(live_server):
    section = SectionFactory(name="Security", slug="security")
    now = timezone.now()
    for number in range(45):
        EventFactory(
            title=f"Security meeting {number:02}",
            slug=f"security-{number:02}",
            section=section,
            starts_at=now - timedelta(days=number + 1),
        )
    return live_server.url


def test_reader_returns_to_page_3_of_the_filtered_list_with_go_back(page, listed):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{listed}/en/events/")
    page.select_option("#id_section", "security")
    page.click("text=Show releases")
    assert page.locator(".chip").first.inner_text().startswith("Section")
    page.click(".pagination >> text=3")
    assert "section=security" in page.url and "page=3" in page.url
    list_url = page.url
    first_title = page.locator(".event-title a").first.inner_text()

    page.locator(".event-title a").first.click()
    page.click("text=Go back")

    # The same list: the page reads its parameters in one (sorted) order, which may differ from the form's.
    back, listed_at = urlsplit(page.url), urlsplit(list_url)
    assert back.path == listed_at.path
    assert parse_qs(back.query, keep_blank_values=True) == parse_qs(listed_at.query, keep_blank_values=True)
    assert page.locator(".pagination .current").inner_text() == "3"
    assert page.locator(".event-title a").first.inner_text() == first_title
    assert errors == []


def test_removing_a_chip_removes_that_filter_only(page, listed):
    page.goto(f"{listed}/en/events/?section=security&kind=press_release")

    page.click("a.chip-remove[aria-label='Remove filter: Type']")

    # The click starts a navigation: wait until the new page has loaded before reading its chips.
    page.wait_for_url("**/en/events/?section=security", wait_until="load")
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator(".chip")).to_contain_text("Security")


def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, listed):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for path in ["/en/", "/en/events/", "/en/calendar/", "/en/events/security-00/"]:
        page.goto(f"{listed}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, path
    context.close()


def test_skip_link_is_the_first_focus_stop_and_is_visible(page, listed):
    page.goto(f"{listed}/en/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0
