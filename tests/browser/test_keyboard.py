"""The public site with the keyboard alone, in Chromium: Tab order, visible focus, the skip link, the
calendar, the photo viewer and reduced motion."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    PhoneNumberFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Marks every element a keyboard user must be able to reach (visible, enabled, not taken out of the Tab
# order) with data-kb="<n>", and returns how many there are.
MARK_FOCUSABLE = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  let count = 0;
  for (const element of document.querySelectorAll(selector)) {
    if (element.closest('[inert], dialog:not([open])') || element.disabled) continue;
    if (element.getAttribute('tabindex') === '-1' || !element.checkVisibility({visibilityProperty: true})) continue;
    element.dataset.kb = String(count++);
  }
  return count;
}"""

# What the focused element looks like: our focus style is a 3px outline plus a dark ring.
FOCUS_STATE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    kb: element.dataset.kb ?? null,
    tag: element.tagName.toLowerCase(),
    text: (element.getAttribute('aria-label') || element.textContent || element.name || '').trim().slice(0, 60),
    outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
    ring: style.boxShadow !== 'none',
  };
}"""


ACCESSIBLE_TEXT = "document.activeElement.getAttribute('aria-label') || document.activeElement.textContent"


def tab_through(page, limit=400):
    """Press Tab until focus leaves the page's last control; return the focus states in order."""
    states = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state["tag"] == "body" or (states and state["kb"] is not None and state["kb"] == states[0]["kb"]):
            break
        states.append(state)
    return states


@pytest.fixture
def site(live_server):
    """A small public site: a release with photos, participants and a press contact, and a few others."""
    now = timezone.now()
    section = SectionFactory(name="Security", slug="security")
    release = EventFactory(
        section=section,
        slug="summit",
        title="Summit on regional security",
        location="Moscow",
        starts_at=now - timedelta(hours=2),
    )
    for number in range(2):
        PhotoFactory(event=release, caption=f"Delegations, photo {number + 1}.")
    EventParticipantFactory(event=release)
    contact = EventPressContactFactory(event=release).person
    PhoneNumberFactory(person=contact)
    for number in range(3):
        EventFactory(section=section, title=f"Briefing {number}", starts_at=now + timedelta(days=number + 1))
    return live_server.url


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/events/", "/en/calendar/", "/en/events/summit/", "/en/contacts/", "/en/accessibility/", "/ru/"],
)
def test_every_control_is_reached_by_tab_and_shows_a_visible_focus(page, site, path):
    page.goto(f"{site}{path}")
    total = page.evaluate(MARK_FOCUSABLE)

    states = tab_through(page)

    reached = {state["kb"] for state in states}
    missed = sorted(set(map(str, range(total))) - reached, key=int)
    missing = [page.locator(f"[data-kb='{kb}']").evaluate("e => e.outerHTML.slice(0, 120)") for kb in missed]
    assert missing == [], path
    assert total > 20
    invisible = [state["text"] for state in states if state["outline"] < 2 or not state["ring"]]
    assert invisible == [], path


def test_skip_link_is_shown_on_first_tab_and_moves_focus_to_the_content(page, site):
    page.goto(f"{site}/en/events/summit/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24

    page.keyboard.press("Enter")
    assert page.url.endswith("#content")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    # The next stop is the first link of the page's content, not the header's search or menu again.
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate("document.activeElement.textContent").strip() == "← Go back"


@time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0)), tick=True)
def test_calendar_days_and_months_are_reached_and_opened_with_the_keyboard(page, live_server):
    day = datetime(2026, 3, 17, 10, 0, tzinfo=timezone.get_fixed_timezone(0))
    EventFactory(title="Council session", slug="council", starts_at=day, publish_at=day - timedelta(days=30))
    EventFactory(title="Press briefing", slug="briefing", starts_at=day, publish_at=day - timedelta(days=30))
    page.goto(f"{live_server.url}/en/calendar/2026/3/")

    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
        )
        if stops[-1] == "17 March 2026: 2 events":
            break
    assert stops[-1] == "17 March 2026: 2 events"
    # The month's navigation comes before the grid, and the grid is read in week order.
    assert any(stop.strip().startswith("← February 2026") for stop in stops)
    assert any(stop.strip().endswith("April 2026 →") for stop in stops)
    # Tab from the day goes through that day's events before the next day.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Council session"
    page.keyboard.press("Shift+Tab")

    page.keyboard.press("Enter")
    page.wait_for_url("**/en/calendar/2026/3/17/")
    assert page.locator("h1").inner_text() == "17 March 2026"
    assert page.locator(".event-title").all_inner_texts() == ["Council session", "Press briefing"]


def test_calendar_month_links_page_through_months_with_enter(page, live_server):
    page.goto(f"{live_server.url}/en/calendar/2026/3/")
    page.locator("a[rel=next]").focus()

    page.keyboard.press("Enter")

    page.wait_for_url("**/en/calendar/2026/4/")
    assert page.locator(".calendar-title").inner_text() == "April 2026"


def test_photo_viewer_opens_with_enter_closes_with_escape_and_returns_focus(page, site):
    page.goto(f"{site}/en/events/summit/")
    second = page.locator("a.gallery-link").nth(1)
    second.focus()

    page.keyboard.press("Enter")

    viewer = page.locator("dialog.photo-viewer")
    assert viewer.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Close"
    assert viewer.locator("img").get_attribute("alt") == "Two delegations seated at a long table."
    assert viewer.locator("figcaption").inner_text().startswith("Delegations, photo 2.")
    # The page behind a modal dialog is inert: a click on its links does nothing.
    assert page.evaluate("document.querySelector('.skip-link').matches(':modal')") is False

    page.keyboard.press("Escape")

    assert not viewer.is_visible()
    assert page.evaluate("document.activeElement === document.querySelectorAll('a.gallery-link')[1]")


def test_photo_viewer_close_button_works_with_the_keyboard(page, site):
    page.goto(f"{site}/en/events/summit/")
    page.locator("a.gallery-link").first.focus()
    page.keyboard.press("Enter")

    page.keyboard.press("Enter")

    assert not page.locator("dialog.photo-viewer").is_visible()
    assert page.url.endswith("/en/events/summit/")


def motion(page) -> dict:
    """The longest animation and transition on the page, in seconds, and the page's scroll behaviour."""
    return page.evaluate(
        """() => {
          const one = part => parseFloat(part) * (part.trim().endsWith('ms') ? 0.001 : 1);
          const seconds = value => Math.max(...value.split(',').map(one));
          let animation = 0, transition = 0;
          for (const element of document.querySelectorAll('*')) {
            const style = getComputedStyle(element);
            if (style.animationName !== 'none') animation = Math.max(animation, seconds(style.animationDuration));
            transition = Math.max(transition, seconds(style.transitionDuration));
          }
          return {animation, transition, scroll: getComputedStyle(document.documentElement).scrollBehavior};
        }"""
    )


@pytest.mark.parametrize(("preference", "moves"), [("no-preference", True), ("reduce", False)])
def test_reduced_motion_preference_turns_off_every_animation(browser, site, preference, moves):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion=preference)
    page = context.new_page()
    page.goto(f"{site}/en/events/summit/")
    page.locator("a.gallery-link").first.click()

    state = motion(page)
    context.close()

    if moves:
        assert state == {"animation": 0.2, "transition": 0, "scroll": "smooth"}
    else:
        assert state["animation"] <= 0.001
        assert state["transition"] <= 0.001
        assert state["scroll"] == "auto"
