"""The XSS corpus stored in every editable text field and sent in query parameters: in a real browser, none
of it runs on any public or admin page (no dialog opens, no injected script sets its flag)."""

from typing import NamedTuple
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from events.models import Section
from tests.factories import EventFactory, EventParticipantFactory, OrganizationFactory, PersonFactory, PhotoFactory

from .xss_corpus import XSS_VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_corpus_has_at_least_fifty_distinct_vectors():
    assert len(set(XSS_VECTORS)) == len(XSS_VECTORS) >= 50


class Stored(NamedTuple):
    event: object
    section: object
    organization: object
    person: object


def store_corpus() -> list[Stored]:
    """Each vector goes into every text field of one event and of the rows around it."""
    events = []
    for number, vector in enumerate(XSS_VECTORS):
        section = Section.objects.create(
            name=vector[:120], slug=f"xss-section-{number}", description=vector, description_ru=vector
        )
        organization = OrganizationFactory(
            name=vector[:200], short_name=vector[:40], slug=f"xss-org-{number}", description=vector
        )
        person = PersonFactory(
            name=vector[:200], position=vector[:200], slug=f"xss-person-{number}", bio=vector, organization=organization
        )
        event = EventFactory(
            title=vector[:300],
            slug=f"xss-{number}",
            section=section,
            lead=vector,
            body=f"<p>{vector}</p>{vector}",
            location=vector[:300],
        )
        event.organizations.add(organization)
        EventParticipantFactory(event=event, person=person)
        if number % 4 == 0:
            photo = PhotoFactory(
                event=event, title=vector[:200], caption=vector, alt_text=vector[:300], credit=vector[:200]
            )
            event.cover = photo
            event.save()
        events.append(Stored(event, section, organization, person))
    return events


def watch(page) -> list[str]:
    """Dialogs are what every vector tries to open; each one is recorded and dismissed."""
    opened: list[str] = []

    def on_dialog(dialog):
        opened.append(f"{page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return opened


def visit(page, url: str, opened: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.status in {200, 404}, (url, response and response.status)
    settle(page)
    assert opened == [], opened


def settle(page) -> None:
    """Wait until the page has loaded and painted twice: by then load, autofocus and animation-start handlers
    (what the vectors use) have run, and any dialog they opened has reached ``watch``. No guessed delay."""
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done())))")


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="missing.png" onerror="alert(1)">',
        '<body onload="alert(2)"></body>',
        '<input autofocus onfocus="alert(3)">',
        '<style>@keyframes x{}</style><p style="animation-name:x" onanimationstart="alert(4)">',
    ],
)
def test_the_check_sees_a_vector_that_does_run(page, markup):
    """The same watch-and-settle that finds nothing on our pages catches each kind of handler that fires."""
    opened = watch(page)

    page.set_content(markup)
    settle(page)

    assert len(opened) == 1, (markup, opened)


def test_no_stored_vector_runs_on_any_public_page(live_server, page):
    rows = store_corpus()
    opened = watch(page)
    base = live_server.url

    for url in ["events:home", "events:list", "events:sections", "events:people", "events:organizations",
                "events:contacts", "events:calendar", "events:upcoming"]:  # fmt: skip
        visit(page, base + reverse(url), opened)
    for number in range(2, 5):
        visit(page, base + reverse("events:list") + f"?page={number}", opened)
    for row in rows:
        visit(page, base + row.event.get_absolute_url(), opened)
    for row in rows[::3]:
        visit(page, base + row.section.get_absolute_url(), opened)
        visit(page, base + row.organization.get_absolute_url(), opened)
        visit(page, base + row.person.get_absolute_url(), opened)
    for row in rows[1::3]:
        visit(page, base + reverse("events:search") + "?" + urlencode({"q": row.event.title[:50]}), opened)


def test_no_vector_in_a_query_parameter_runs(live_server, page):
    EventFactory(slug="summit")
    opened = watch(page)
    base = live_server.url

    names = ["q", "back", "page", "date_from", "section", "kind", "person", "year"]
    # Each request carries a different vector in every parameter, so every vector is sent in two parameters.
    for start in range(0, len(XSS_VECTORS), 4):
        vectors = [XSS_VECTORS[(start + offset) % len(XSS_VECTORS)] for offset in range(len(names))]
        query = urlencode(dict(zip(names, vectors, strict=True)))
        for path in [reverse("events:search"), reverse("events:list"), "/en/events/summit/"]:
            visit(page, f"{base}{path}?{query}", opened)


def test_no_stored_vector_runs_on_admin_pages(live_server, page):
    rows = store_corpus()
    get_user_model().objects.create_superuser("chief", "chief@example.org", "correct horse battery")
    opened = watch(page)
    base = live_server.url
    page.goto(base + reverse("admin:login"))
    page.fill("#id_username", "chief")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(base + reverse("admin:index"))

    for name in ["event", "section", "organization", "person", "attachment", "auditlogentry"]:
        visit(page, base + reverse(f"admin:events_{name}_changelist"), opened)
    visit(page, base + reverse("admin:events_event_changelist") + "?" + urlencode({"q": XSS_VECTORS[1]}), opened)
    for row in rows[::4]:
        visit(page, base + reverse("admin:events_event_change", args=[row.event.pk]), opened)
        page.locator(".field-body .ProseMirror").filter(visible=True).first.wait_for()
        settle(page)
        assert opened == []
        visit(page, base + reverse("admin:events_event_history", args=[row.event.pk]), opened)
    for row in rows[1::6]:
        visit(page, base + reverse("admin:events_person_change", args=[row.person.pk]), opened)
        visit(page, base + reverse("admin:events_organization_change", args=[row.organization.pk]), opened)
        visit(page, base + reverse("admin:events_section_change", args=[row.section.pk]), opened)
    event = rows[0][0]
    event.delete()
    visit(page, base + reverse("trash"), opened)
