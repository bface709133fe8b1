"""The release list fits the screen (issue 16, point 4): at 1280 px with the side bar open, every column an editor
needs (title, status, date, section, publish time, who changed it last) is on screen and the table ends inside
the window; at 390 px the title and the status are still in view and the table scrolls inside its own box."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_editorial_flow import log_in
from tests.events.roles import user_in
from tests.events.test_long_titles import ENGLISH_TITLE, RUSSIAN_TITLE
from tests.factories import EventFactory, SectionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = {
    "en": {
        "title_cell": "Title",
        "status_badge": "Status",
        "starts_cell": "Date",
        "section": "Section",
        "publish_cell": "Publish at",
        "updated_by": "Updated by",
    },
    "ru": {
        "title_cell": "Заголовок",
        "status_badge": "Статус",
        "starts_cell": "Дата",
        "section": "Раздел",
        "publish_cell": "Время публикации",
        "updated_by": "Изменил",
    },
}


@pytest.fixture
def releases():
    """A realistic page: long titles in both languages, a long section name, every status, long user names."""
    section = SectionFactory(name="International cooperation with regional and intergovernmental organisations")
    other = SectionFactory(name="Councils and summits")
    writer = UserFactory(username="ekaterina.konstantinopolskaya")
    now = timezone.now()
    made = [
        EventFactory(title=ENGLISH_TITLE, slug="long-en", section=section, updated_by=writer),
        EventFactory(title=RUSSIAN_TITLE, slug="long-ru", language="ru", section=section, updated_by=writer),
        EventFactory(title="Summit in Minsk", slug="minsk", section=other, scheduled=True, updated_by=writer),
        EventFactory(title="Draft statement", slug="draft", section=other, draft=True, all_day=True),
        EventFactory(title="Withdrawn statement", slug="withdrawn", section=section, withdrawn=True),
    ]
    for index in range(15):
        made.append(
            EventFactory(
                title=f"Meeting of the working group on border security, session {index}",
                section=other if index % 2 else section,
                starts_at=now - timedelta(days=index),
                updated_by=writer,
            )
        )
    return made


def open_list(page, live_server, width: int, height: int, language: str = "en"):
    log_in(page, live_server, user_in("Editor", "editor"))
    # The language an editor picks on the site is kept in this cookie, and the admin follows it.
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + reverse("admin:events_event_changelist"))
    expect(page.locator("#result_list")).to_be_visible()


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_at_1280_px_with_the_side_bar_open_every_column_is_on_screen(page, live_server, releases, language):
    open_list(page, live_server, 1280, 900, language)

    expect(page.locator("#nav-sidebar")).to_be_visible()  # the side bar is open, as it is by default
    assert box(page, "#nav-sidebar")["width"] > 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    table = box(page, "#result_list")
    assert table["x"] >= box(page, "#nav-sidebar")["width"]
    assert table["x"] + table["width"] <= 1280
    for column, label in COLUMNS[language].items():
        header = page.locator(f"#result_list thead th.column-{column}")
        expect(header).to_contain_text(label)
        edges = header.bounding_box()
        assert 0 <= edges["x"] and edges["x"] + edges["width"] <= 1280, column
    # The long title wraps inside its cell instead of widening the table.
    title_cell = page.locator("#result_list tbody tr", has_text=ENGLISH_TITLE[:40]).locator(".field-title_cell")
    assert title_cell.locator("a").evaluate("link => link.getClientRects().length") > 2
    expect(title_cell.locator("abbr.cso-language")).to_have_text("EN")
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_at_1280_px_the_filters_do_not_take_a_column_from_the_table(page, live_server, releases):
    open_list(page, live_server, 1280, 900)

    filters = box(page, "#changelist-filter")
    table = box(page, "#result_list")
    assert filters["y"] + filters["height"] <= table["y"]  # above the table, not beside it
    assert table["width"] >= 900
    page.locator("#changelist-filter a", has_text="Draft").first.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list tbody tr")).to_contain_text("Draft statement")


def test_at_390_px_the_title_and_status_are_in_view_and_the_table_scrolls_in_its_box(page, live_server, releases):
    open_list(page, live_server, 390, 844)

    for column in ("title_cell", "status_badge"):
        edges = page.locator(f"#result_list thead th.column-{column}").bounding_box()
        assert 0 <= edges["x"] and edges["x"] + edges["width"] <= 390, column
    # The page itself does not scroll sideways; the table's own box does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    results = page.locator("#changelist .results")
    assert results.evaluate("element => element.scrollWidth > element.clientWidth") is True
    assert results.evaluate("element => getComputedStyle(element).overflowX") == "auto"
