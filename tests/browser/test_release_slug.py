"""The slug box of a new release follows the title by the site's slug rule, in the browser (issue 16, point 3):
the script and ``events.models.slugs.release_slug`` give the same slug, and the editor's own slug is kept."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models.slugs import release_slug
from tests.browser.test_editorial_flow import log_in
from tests.events.roles import user_in
from tests.events.test_long_titles import ENGLISH_TITLE, RUSSIAN_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRICKY_TITLES = [
    "Café à Genève: talks résumé",
    "Ёлка, щука и съезд — «Объединённые» нации",
    "  snake_case and -- dashes --  ",
    "x" * 75 + " abcd efg",
    "x" * 78 + " bc de",
    "y" * 120,
    "!!! ???",
    "CSO–UN memorandum, 2026/27 (draft #3)",
]


@pytest.fixture
def add_page(page, live_server):
    log_in(page, live_server, user_in("Editor"))
    page.goto(live_server.url + reverse("admin:events_event_add"))
    return page


def test_typing_a_241_character_title_fills_the_slug_cut_between_words(add_page):
    slug = add_page.locator("#id_slug")

    add_page.fill("#id_title", ENGLISH_TITLE)
    expect(slug).to_have_value(release_slug(ENGLISH_TITLE))

    add_page.fill("#id_title", RUSSIAN_TITLE)
    expect(slug).to_have_value(release_slug(RUSSIAN_TITLE))
    assert len(slug.input_value()) <= 80


def test_the_script_and_the_server_give_the_same_slug(add_page):
    in_browser = add_page.evaluate(
        """titles => {
            const input = document.getElementById("id_slug");
            const letters = JSON.parse(input.dataset.slugLetters);
            return titles.map(title => window.csoReleaseSlug(title, letters, 80));
        }""",
        TRICKY_TITLES,
    )

    assert in_browser == [release_slug(title) for title in TRICKY_TITLES]


def test_a_slug_the_editor_typed_is_not_replaced_by_the_title(add_page):
    add_page.fill("#id_title", "Summit in Minsk")
    expect(add_page.locator("#id_slug")).to_have_value("summit-in-minsk")

    add_page.fill("#id_slug", "minsk-summit")
    add_page.fill("#id_title", "Summit in Minsk: the final statement")

    expect(add_page.locator("#id_slug")).to_have_value("minsk-summit")
