"""The 404 page in a real browser: the site's header works there (search, navigation, language) on a phone too."""

import pytest
from playwright.sync_api import expect

from events.models import SiteIdentity
from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_on_a_missing_page_searches_from_its_header_on_a_phone(browser, live_server):
    SiteIdentity.objects.create(name_en="Northern Council Press Service", short_name_en="NC Press")
    EventFactory(title="Fisheries agreement signed", slug="fisheries")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()

    response = page.goto(f"{live_server.url}/en/events/no-such-release/")

    assert response.status == 404
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("link", name="NC Press", exact=True)).to_be_visible()  # the short name on a phone
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("searchbox", name="Search releases").fill("Fisheries")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/en/search/?q=Fisheries")
    expect(page.get_by_role("link", name="Fisheries agreement signed")).to_be_visible()
    context.close()


def test_the_language_switch_on_a_missing_page_leads_to_the_russian_site(page, live_server):
    page.goto(f"{live_server.url}/en/no-such-page/")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="RU").click()

    expect(page).to_have_url(f"{live_server.url}/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".footer-name")).to_have_text("Пресс-служба")
