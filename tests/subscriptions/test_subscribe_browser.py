"""The subscribe box and the alerts pages in Chromium: no serious axe-core violation, nothing wider than the
window at 1280 and 390 px, and the box's label leads to its field."""

from __future__ import annotations

import pytest

from subscriptions import links
from tests.browser.test_admin_screens import axe_source, blocking_violations, widest_elements  # noqa: F401
from tests.factories import EventFactory, SectionFactory

from .alerts_helpers import confirmed_subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alert_pages():
    section = SectionFactory(name="Economy and trade", name_ru="Экономика и торговля")
    SectionFactory(name="Security", parent=section)
    EventFactory(section=section)
    subscriber = confirmed_subscriber("reader.with.a.rather.long.address@example.org", targets=("everything",))
    return {
        "section page": section.get_absolute_url(),
        "all events": "/en/events/?section=" + section.slug,
        "alerts page": "/en/alerts/",
        "alerts page in Russian": "/ru/alerts/",
        "manage page": f"/en/alerts/manage/{links.make_token(links.MANAGE, subscriber)}/",
        "unsubscribe page": f"/en/alerts/unsubscribe/{links.make_token(links.UNSUBSCRIBE, subscriber)}/",
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_alert_pages_pass_axe_and_fit_the_window(browser, live_server, axe_source, alert_pages, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        for name, path in alert_pages.items():
            page.goto(live_server.url + path)
            assert blocking_violations(page, axe_source) == [], name
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{name}: {widest_elements(page, width)}"
    finally:
        context.close()


def test_the_box_label_focuses_its_field_and_the_form_answers(page, live_server, alert_pages):
    page.goto(live_server.url + alert_pages["section page"])
    page.get_by_text("Get this section's releases by e-mail").click()
    assert page.evaluate("document.activeElement.id") == "alerts-email"
    page.keyboard.type("someone@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Subscribe"
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/en/alerts/")
    assert page.locator("h1").inner_text() == "Check your inbox"
