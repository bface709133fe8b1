"""Acceptance 9: an author writes and submits a release in the admin, an editor publishes it, readers see it."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from events.models import Event
from tests.events.roles import user_in
from tests.factories import EventFactory, PersonFactory, PressContactFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    """Reuse a server-side session instead of typing passwords (the login form is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]  # fmt: skip
    )


def choose(page, field_id, text):
    """Pick an entry in one of the release editor's search boxes (people, organisations, contacts)."""
    page.fill(f"#{field_id}", text)
    page.locator(f"#{field_id}_options [role=option]", has_text=text).click()
    expect(page.locator(f"#{field_id}_list")).to_contain_text(text)


def test_author_writes_and_submits_editor_publishes_readers_see_it(browser, live_server):
    section = SectionFactory(name="Summits", slug="summits")
    PersonFactory(name="Viktor Ivanov", slug="viktor-ivanov", position="Minister")
    PressContactFactory(name="Olga Smirnova", slug="olga-smirnova")
    author = user_in("Author", "author")
    editor = user_in("Editor", "editor")

    author_page = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB").new_page()
    author_page.set_default_timeout(15_000)
    log_in(author_page, live_server, author)
    author_page.goto(f"{live_server.url}/{settings.CSO_ADMIN_PATH}events/event/add/")

    author_page.locator("#id_title").press_sequentially("Ministers agree on water cooperation")
    expect(author_page.locator("#id_slug")).to_have_value("ministers-agree-on-water-cooperation")
    author_page.select_option("#id_section", label=section.name)
    author_page.fill("#id_starts_at_0", "2030-05-04")
    author_page.fill("#id_starts_at_1", "10:00:00")
    author_page.fill("#id_lead", "The ministers met in Geneva.")

    editor_area = author_page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    editor_area.click()
    author_page.keyboard.type("The talks were ")
    author_page.keyboard.press("Control+b")
    author_page.keyboard.type("constructive")
    author_page.keyboard.press("Control+b")
    author_page.keyboard.type(" and lasted three hours.")

    choose(author_page, "id_people", "Viktor Ivanov")
    choose(author_page, "id_contacts", "Olga Smirnova")
    author_page.click("input[name=_continue]")

    expect(author_page.locator(".cso-workflow")).to_contain_text("Draft")
    event = Event.objects.get(slug="ministers-agree-on-water-cooperation")
    assert "<strong>constructive</strong>" in event.body
    assert [p.name for p in event.participants.all()] == ["Viktor Ivanov"]
    assert [p.name for p in event.press_contacts.all()] == ["Olga Smirnova"]

    author_page.get_by_role("link", name="Submit for review").click()
    author_page.get_by_role("button", name="Submit for review").click()
    expect(author_page.locator(".cso-workflow")).to_contain_text("In review")
    expect(author_page.get_by_role("link", name="Publish now")).to_have_count(0)

    editor_page = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB").new_page()
    editor_page.set_default_timeout(15_000)
    log_in(editor_page, live_server, editor)
    editor_page.goto(f"{live_server.url}/{settings.CSO_ADMIN_PATH}events/event/dashboard/")
    editor_page.locator("#in-review").get_by_role("link", name="Ministers agree on water cooperation").click()
    editor_page.get_by_role("link", name="Publish now").click()
    editor_page.get_by_role("button", name="Publish now").click()
    expect(editor_page.locator(".cso-workflow")).to_contain_text("Published")

    reader = browser.new_context(locale="en-GB").new_page()
    response = reader.goto(f"{live_server.url}/en/events/ministers-agree-on-water-cooperation/")
    assert response.status == 200
    expect(reader.locator("h1")).to_have_text("Ministers agree on water cooperation")
    expect(reader.locator(".release-body strong")).to_have_text("constructive")
    expect(reader.locator("main")).to_contain_text("Viktor Ivanov")
    expect(reader.locator("main")).to_contain_text("Olga Smirnova")
    assert re.search(r"Ministers agree on water cooperation", reader.title())
    for context in (author_page.context, editor_page.context, reader.context):
        context.close()


def test_text_pasted_from_word_is_cleaned_by_the_editor_and_the_server(page, live_server):
    event = EventFactory(draft=True, body="")
    log_in(page, live_server, user_in("Author", "author"))
    page.goto(f"{live_server.url}/{settings.CSO_ADMIN_PATH}events/event/{event.pk}/change/")
    area = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    area.click()
    word_html = (
        '<p class="MsoNormal" style="margin:0cm;font-family:Calibri"><span style="color:red">From Word</span>'
        "<o:p></o:p></p><table><tr><td>cell</td></tr></table><h1>Too big</h1><img src=x onerror=alert(1)>"
    )
    area.evaluate(
        """(node, html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "From Word");
            node.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        word_html,
    )
    expect(area).to_contain_text("From Word")
    assert area.locator("[style], span, table, img, h1").count() == 0
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    event.refresh_from_db()
    assert "From Word" in event.body
    for leftover in ("style=", "MsoNormal", "<span", "<table", "<img", "onerror", "<h1"):
        assert leftover not in event.body
