"""Each rule that was written in several places now lives in one, and every surface that applies it agrees.

- a section and its sub-sections (``EventQuerySet.in_section``): the section page, the filter form, RSS,
  Atom and iCalendar list the same releases, those of inactive sub-sections included;
- "published and due" (``EventQuerySet.due``/``scheduled``, ``Event.is_due``): querysets, model flags, the
  page cache's next publication and the editorial dashboard and calendar agree, to the second;
- a release's public address (``release_url``): the page in the release's own language, from every place;
- the second pair of eyes (``permissions.is_second_pair_of_eyes``): the admin's check and the services;
- the editorial fields (``EDITORIAL_FIELDS``): the edit form, its fieldsets, the revision comparison, a
  revert and a translation.
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import icalendar
import pytest
import time_machine
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from events import page_cache, permissions
from events.admin.event import EventAdminForm
from events.admin.views.history import COMPARED_FIELDS
from events.models import Event
from events.models.event import EDITORIAL_FIELDS
from events.services import releases
from tests.events.roles import user_in
from tests.factories import EventFactory, EventParticipantFactory, PersonFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
BASE = "http://testserver"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"events:{name}", kwargs=kwargs or None)


def page_titles(client, path):
    """The titles on every page of a paginated list, following its pages to the last."""
    titles, number = [], 1
    while True:
        response = client.get(path, {"page": number} if number > 1 else None)
        assert response.status_code == 200
        page = response.context["page_obj"]
        titles += [event.title for event in page.object_list]
        if not page.has_next():
            return titles
        number += 1


def feed_titles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [entry.title for entry in parsed.entries]


def ics_titles(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return [str(vevent["SUMMARY"]) for vevent in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]


# A section and its sub-sections -------------------------------------------------------------------------------


@pytest.fixture
def section_with_subsections():
    """A section with an active and an inactive sub-section, releases in every state, and more than one page."""
    with time_machine.travel(NOW, tick=False):
        parent = SectionFactory(slug="diplomacy")
        active = SectionFactory(slug="visits", parent=parent)
        inactive = SectionFactory(slug="old-visits", parent=parent, is_active=False)
        elsewhere = SectionFactory(slug="culture")
        for number in range(21):
            EventFactory(title=f"Talks {number:02}", section=parent)
        EventFactory(title="In the active sub-section", section=active)
        EventFactory(title="In the inactive sub-section", section=inactive)
        EventFactory(title="Scheduled, due by now", section=inactive, publish_at=NOW + timedelta(minutes=30))
        EventFactory(title="Scheduled, not due yet", section=parent, publish_at=NOW + timedelta(days=2))
        EventFactory(title="A draft", section=active, draft=True)
        EventFactory(title="In another section", section=elsewhere)
    return parent


@time_machine.travel(NOW + timedelta(hours=1), tick=False)
def test_section_page_filter_feeds_and_calendar_list_the_same_releases(client, section_with_subsections):
    slug = section_with_subsections.slug
    expected = {f"Talks {number:02}" for number in range(21)} | {
        "In the active sub-section",
        "In the inactive sub-section",
        "Scheduled, due by now",
    }

    on_page = page_titles(client, url("section", slug=slug))
    assert len(on_page) == len(expected) == 24  # two pages, every release once
    assert set(on_page) == expected
    assert set(page_titles(client, url("list") + f"?section={slug}")) == expected
    assert set(feed_titles(client, url("section-feed-rss", slug=slug))) == expected
    assert set(feed_titles(client, url("section-feed-atom", slug=slug))) == expected
    assert set(ics_titles(client, url("section-ics", slug=slug))) == expected


@time_machine.travel(NOW + timedelta(hours=1), tick=False)
def test_an_inactive_sub_section_is_out_of_navigation_on_every_surface(client, section_with_subsections):
    """Deactivating hides the sub-section itself (its page, feeds, calendar and menu entry), not its releases."""
    for name in ("section", "section-feed-rss", "section-feed-atom", "section-ics"):
        assert client.get(url(name, slug="old-visits")).status_code == 404

    response = client.get(url("section", slug=section_with_subsections.slug))

    assert [child.slug for child in response.context["subsections"]] == ["visits"]
    menu = response.context["filter"].form.fields["section"].queryset
    assert [section.slug for section in menu] == ["visits"]


# Published and due -------------------------------------------------------------------------------------------


@pytest.fixture
def releases_around_now():
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        return {
            "draft": EventFactory(title="draft", draft=True),
            "review": EventFactory(title="review", in_review=True),
            "withdrawn": EventFactory(title="withdrawn", withdrawn=True, first_published_at=NOW - timedelta(days=1)),
            "published": EventFactory(title="published", publish_at=NOW - timedelta(hours=3)),
            "due this second": EventFactory(title="due this second", publish_at=NOW),
            "due a second ago": EventFactory(title="due a second ago", publish_at=NOW - timedelta(seconds=1)),
            "due in a second": EventFactory(title="due in a second", publish_at=NOW + timedelta(seconds=1)),
            "due next week": EventFactory(title="due next week", publish_at=NOW + timedelta(days=7)),
        }


@time_machine.travel(NOW, tick=False)
def test_due_is_one_rule_for_querysets_model_flags_and_the_editorial_pages(admin_client_logged_in, releases_around_now):
    everything = list(Event.objects.all())
    due = {"published", "due this second", "due a second ago"}
    scheduled = {"due in a second", "due next week"}

    def titles(events):
        return {event.title for event in events}

    assert titles(Event.objects.due(NOW)) == titles(Event.objects.public()) == due
    assert titles(event for event in everything if event.is_due(NOW)) == due
    assert titles(event for event in everything if event.is_public) == due
    assert titles(Event.objects.reachable().filter(status=Event.Status.PUBLISHED)) == due
    assert titles(Event.objects.scheduled(NOW)) == titles(event for event in everything if event.is_scheduled)
    assert titles(Event.objects.scheduled()) == scheduled
    # The page cache keeps pages until the next scheduled release comes out: the first of the same set.
    assert page_cache.next_scheduled_publication("one-rule") == (NOW + timedelta(seconds=1)).timestamp()

    dashboard = admin_client_logged_in.get(reverse("admin:events_event_dashboard"))
    assert titles(dashboard.context["scheduled"]) == scheduled
    assert titles(dashboard.context["recently_published"]) == due

    calendar = admin_client_logged_in.get(
        reverse("admin:events_event_calendar_month", kwargs={"year": NOW.year, "month": NOW.month})
    )
    flagged = {
        event.title: event.is_scheduled_now
        for week in calendar.context["weeks"]
        for day in week
        for event in day["events"]
    }
    assert {title for title, waiting in flagged.items() if waiting} == scheduled
    assert {title for title, waiting in flagged.items() if not waiting} == due


# A release's public address ----------------------------------------------------------------------------------


def _href_in(html: str, path: str) -> bool:
    return re.search(rf'href="{re.escape(path)}["?]', html) is not None


@pytest.mark.parametrize("language", ["en", "ru"])
@time_machine.travel(NOW, tick=False)
def test_a_release_has_one_public_address_wherever_it_is_linked(admin_client_logged_in, client, language):
    section = SectionFactory()
    person = PersonFactory()
    release = EventFactory(
        title="Summit opens", slug="summit-opens", language=language, section=section, lead="Summit opens today."
    )
    neighbour = EventFactory(title="Neighbour", slug="neighbour", language=language, section=section)
    EventParticipantFactory(event=release, person=person)
    EventParticipantFactory(event=neighbour, person=person)
    with translation.override(language):
        expected = reverse("events:detail", kwargs={"slug": "summit-opens"})
    assert expected.startswith(f"/{language}/")

    # The model and the admin's "View on site", with the admin in English whatever the release's language.
    with translation.override("en"):
        assert release.get_absolute_url() == expected
    with translation.override("ru"):
        assert release.get_absolute_url() == expected
    view_on_site = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Event).pk, release.pk])
    response = admin_client_logged_in.get(view_on_site, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"].removeprefix(BASE) == expected

    # The sitemap.
    root = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text.removeprefix(BASE) for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    assert expected in locations

    # RSS and Atom of the release's language.
    for name in ("feed-rss", "feed-atom"):
        parsed = feedparser.parse(client.get(url(name, language)).content)
        links = {entry.title: entry.link.removeprefix(BASE) for entry in parsed.entries}
        assert links["Summit opens"] == expected

    # The calendar, the site-wide one and the release's own download.
    for path in (url("ics", language), url("event-ics", language, slug="summit-opens")):
        calendar = icalendar.Calendar.from_ical(client.get(path).content)
        urls = {str(vevent["SUMMARY"]): str(vevent["URL"]) for vevent in calendar.walk("VEVENT")}
        assert urls["Summit opens"].removeprefix(BASE) == expected

    # Search results, and "other events" on the page of a release sharing its section and people.
    search = client.get(url("search", language), {"q": "Summit"})
    assert _href_in(search.content.decode(), expected)
    neighbour_page = client.get(url("detail", language, slug="neighbour"))
    assert neighbour_page.status_code == 200
    assert _href_in(neighbour_page.content.decode(), expected)


# The second pair of eyes -------------------------------------------------------------------------------------


@pytest.fixture
def submitted_release():
    author = user_in("Author", "author")
    event = EventFactory(draft=True)
    releases.event_submit(event=event, user=author)
    return event


def test_second_pair_of_eyes_is_one_rule_for_the_admin_and_the_services(client, submitted_release, monkeypatch):
    """Changing the one rule changes both the admin's check and what the services refuse."""
    other_editor = user_in("Editor", "second-editor")
    assert permissions.is_second_pair_of_eyes(other_editor, submitted_release)
    monkeypatch.setattr(permissions, "is_second_pair_of_eyes", lambda user, event: False)

    assert not permissions.can_publish(other_editor, submitted_release)
    assert not permissions.can_schedule(other_editor, submitted_release)
    client.force_login(other_editor)
    response = client.post(reverse("admin:events_event_transition", args=[submitted_release.pk, "publish"]))
    assert response.status_code == 403
    with pytest.raises(ValidationError):
        releases.event_publish(event=submitted_release, user=other_editor)
    with pytest.raises(ValidationError):
        releases.event_schedule(
            event=submitted_release, user=other_editor, publish_at=datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
        )
    submitted_release.refresh_from_db()
    assert submitted_release.status == Event.Status.IN_REVIEW


def test_the_submitter_is_refused_by_the_admin_check_and_the_services_alike(submitted_release):
    editor = user_in("Editor", "editor")
    releases.event_reject(event=submitted_release, user=editor, note="One more pass.")
    releases.event_submit(event=submitted_release, user=editor)
    submitted_release.refresh_from_db()

    assert not permissions.is_second_pair_of_eyes(editor, submitted_release)
    assert not permissions.can_publish(editor, submitted_release)
    assert not permissions.can_schedule(editor, submitted_release)
    with pytest.raises(ValidationError):
        releases.event_publish(event=submitted_release, user=editor)
    with pytest.raises(ValidationError):
        releases.event_schedule(event=submitted_release, user=editor, publish_at=datetime(2099, 1, 1, tzinfo=UTC))


# The editorial fields ----------------------------------------------------------------------------------------


def test_the_editorial_fields_are_one_list_for_form_fieldsets_comparison_revert_and_translation(rf, superuser):
    model_admin = admin.site._registry[Event]
    request = rf.get("/")
    request.user = superuser
    on_form = set(EventAdminForm._meta.fields)
    in_fieldsets = {
        name
        for _title, options in model_admin.get_fieldsets(request, None)
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    }

    assert on_form == set(EDITORIAL_FIELDS)
    assert in_fieldsets - {"expected_version", "people", "contacts"} == set(EDITORIAL_FIELDS)
    assert [name for name in COMPARED_FIELDS if name in EDITORIAL_FIELDS] == [
        name for name in EDITORIAL_FIELDS if name != "organizations"
    ]
    assert releases.REVERTIBLE_FIELDS == [
        Event._meta.get_field(name).attname for name in EDITORIAL_FIELDS if name not in ("language", "organizations")
    ]


def test_a_translation_copies_every_editorial_field_but_its_own_slug_language_and_cover():
    editor = user_in("Editor", "editor")
    release = EventFactory(
        location="Geneva", all_day=True, ends_at=NOW + timedelta(days=1), starts_at=NOW, kind=Event.Kind.SPEECH
    )

    copy = releases.event_translate(event=release, user=editor, language="ru")

    for name in EDITORIAL_FIELDS:
        if name in ("slug", "language", "cover", "organizations"):
            continue
        assert getattr(copy, name) == getattr(release, name), name
    assert copy.language == "ru"
