"""Acceptance 2 for the HTML pages: drafts, releases in review and not-yet-due scheduled releases never show."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import EventFactory, EventParticipantFactory, OrganizationFactory, PersonFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
DAY = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)

PAGES = [
    "/en/",
    "/en/calendar/2026/5/",
    "/en/calendar/2026/5/14/",
    "/en/calendar/upcoming/",
    "/en/events/",
    "/en/events/?section=security",
    "/en/sections/security/",
    "/en/people/ivan-sidorov/",
    "/en/organisations/energy-agency/",
    "/en/search/?q=Meeting",
]


@pytest.fixture
def releases():
    """One public release and three hidden ones, all in the same section, on the same day, with the same people."""
    with time_machine.travel(NOW, tick=False):
        section = SectionFactory(slug="security")
        person = PersonFactory(slug="ivan-sidorov")
        organization = OrganizationFactory(slug="energy-agency")
        common = {"section": section, "starts_at": DAY}
        events = {
            "public": EventFactory(title="Meeting public", slug="public", **common),
            "draft": EventFactory(title="Meeting draft", slug="draft", draft=True, **common),
            "review": EventFactory(title="Meeting in review", slug="review", in_review=True, **common),
            "scheduled": EventFactory(
                title="Meeting scheduled", slug="scheduled", publish_at=NOW + timedelta(hours=3), **common
            ),
        }
        for event in events.values():
            EventParticipantFactory(event=event, person=person)
            event.organizations.add(organization)
    return events


@pytest.mark.parametrize("path", PAGES)
def test_hidden_releases_are_absent_from_every_page(client, releases, path):
    with time_machine.travel(NOW, tick=False):
        html = client.get(path).content.decode()

    assert "Meeting public" in html
    for hidden in ("Meeting draft", "Meeting in review", "Meeting scheduled"):
        assert hidden not in html


@pytest.mark.parametrize("slug", ["draft", "review", "scheduled"])
def test_hidden_release_pages_are_404(client, releases, slug):
    with time_machine.travel(NOW, tick=False):
        assert client.get(f"/en/events/{slug}/").status_code == 404


@pytest.mark.parametrize("path", PAGES)
def test_scheduled_release_appears_everywhere_once_its_time_passes(client, releases, path):
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        html = client.get(path).content.decode()
        assert client.get("/en/events/scheduled/").status_code == 200

    assert "Meeting scheduled" in html
    assert "Meeting draft" not in html


def test_other_events_on_a_public_page_never_list_hidden_releases(client, releases):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/en/events/public/")

    assert response.context["other_events"] == []
