"""The Content-Security-Policy, seen from a real browser: nothing the site itself needs is blocked."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import EventFactory, EventParticipantFactory, PersonFactory, PhotoFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def sign_in(page, live_server, username="editor-admin", password="correct horse battery"):
    get_user_model().objects.create_superuser(username, f"{username}@example.org", password)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))


def test_admin_event_page_with_rich_text_editor_runs_without_csp_errors(live_server, page):
    event = EventFactory(body="<p>Talks on <strong>regional</strong> security.</p>")
    PhotoFactory(event=event)
    problems = record_problems(page)
    sign_in(page, live_server)

    page.goto(live_server.url + reverse("admin:events_event_change", args=[event.pk]))
    # The editor replaces the textarea with its own editable area once its ES modules have loaded.
    editor = page.locator(".field-body .ProseMirror").filter(visible=True).first
    editor.wait_for()
    assert "regional" in editor.inner_text()
    editor.click()
    page.keyboard.type(" More text.")
    assert "More text." in editor.inner_text()

    page.goto(live_server.url + reverse("admin:events_event_add"))
    page.locator(".field-body .ProseMirror").filter(visible=True).first.wait_for()

    assert [p for p in problems if "Content Security Policy" in p or "uncaught" in p] == []


def test_public_pages_run_without_csp_errors(live_server, page):
    event = EventFactory(title="Ministers meet in Vienna")
    PhotoFactory(event=event)
    person = PersonFactory()
    EventParticipantFactory(event=event, person=person)  # people pages exist for participants of public events
    problems = record_problems(page)

    for url in [
        reverse("events:home"),
        reverse("events:list"),
        event.get_absolute_url(),
        person.get_absolute_url(),
        event.section.get_absolute_url(),
    ]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "Content-Security-Policy" in {name.title() for name in response.headers}

    assert [p for p in problems if "Content Security Policy" in p or "uncaught" in p] == []
