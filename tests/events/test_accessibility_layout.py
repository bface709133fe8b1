"""Layout promises of the accessibility statement that only a browser can check: spacing and reflow on phones."""

import pytest

from tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX = """selector => {
  const style = getComputedStyle(document.querySelector(selector));
  return [parseFloat(style.paddingTop), parseFloat(style.paddingBottom), parseFloat(style.paddingLeft)];
}"""


@pytest.mark.parametrize("path", ["/en/", "/en/calendar/", "/en/events/summit/", "/ru/accessibility/"])
def test_phone_pages_keep_space_around_the_content_and_never_scroll_sideways(browser, live_server, path):
    EventFactory(slug="summit", title="A summit with a rather long title " * 4)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()

    page.goto(f"{live_server.url}{path}")

    main_top, main_bottom, main_side = page.evaluate(BOX, "main")
    footer_top, footer_bottom, _ = page.evaluate(BOX, ".footer-inner")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert (main_top, main_bottom, main_side) == (20, 48, 16)
    assert (footer_top, footer_bottom) == (24, 32)
    assert overflow == 0
