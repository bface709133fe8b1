import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from events.models import Attachment, Event, PhoneNumber
from events.services.releases import event_withdraw
from events.views.event import event_page_context
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhoneNumberFactory,
    PhotoFactory,
    PressContactFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def release():
    """A published release with everything its page shows."""
    section = SectionFactory(name="Security", slug="security", description="Talks and treaties.")
    SectionFactory(name="Border", slug="border", parent=section)
    event = EventFactory(
        title="Foreign ministers meet in Vienna",
        slug="ministers-vienna",
        section=section,
        starts_at=datetime(2026, 5, 11, 9, 30, tzinfo=UTC),
        ends_at=datetime(2026, 5, 11, 12, 0, tzinfo=UTC),
        location="Vienna, Hofburg",
        lead="The ministers agreed on a road map.",
        body="<p>The meeting <strong>adopted</strong> a declaration.</p>",
    )
    minister = PersonFactory(name="Ivan Sidorov", slug="ivan-sidorov", position="Minister")
    EventParticipantFactory(event=event, person=minister)
    event.organizations.add(OrganizationFactory(name="Energy Agency", slug="energy-agency"))
    contact = PressContactFactory(name="Olga Smirnova", slug="olga-smirnova", email="press@example.org")
    PhoneNumberFactory(person=contact, number="+74951234567", label=PhoneNumber.Label.TEL)
    PhoneNumberFactory(person=contact, number="+79161234567", label=PhoneNumber.Label.MOBILE)
    EventPressContactFactory(event=event, person=contact)
    PhotoFactory(event=event, alt_text="Ministers at the table.", caption="The opening session.")
    Attachment.objects.create(
        event=event,
        kind=Attachment.Kind.DOCUMENT,
        title="Joint declaration",
        file=ContentFile(b"%PDF-1.4 declaration" + b"x" * 2048, name="declaration.pdf"),
    )
    return event


def test_home_shows_latest_releases_upcoming_events_sections_and_this_month(client, release):
    upcoming = EventFactory(title="Summit next week", starts_at=timezone.now() + timedelta(days=7))

    response = client.get("/en/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Latest releases" in html and release.title in html
    assert "Upcoming events" in html and upcoming.title in html
    assert 'href="/en/sections/security/"' in html
    assert response.context["month"].month == timezone.localdate().month


def test_all_events_lists_date_title_lead_and_section(client, release):
    html = client.get("/en/events/").content.decode()

    assert "11 May 2026" in html
    assert release.title in html and release.lead in html
    assert "Security" in html
    assert "1 release" in html


def test_event_page_shows_the_release_and_everything_attached_to_it(client, release):
    response = client.get("/en/events/ministers-vienna/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="release-title">Foreign ministers meet in Vienna</h1>' in html
    assert "11 May 2026" in html and "09:30–12:00" in html and "Vienna, Hofburg" in html
    assert "The ministers agreed on a road map." in html
    assert "<strong>adopted</strong>" in html
    assert 'alt="Ministers at the table."' in html and "The opening session." in html
    assert re.search(r'download>Joint declaration</a> <span class="document-facts">\(PDF, 2\.0\xa0KB\)', html)
    assert '<a href="/en/people/ivan-sidorov/">Ivan Sidorov</a>' in html
    assert '<a href="/en/organisations/energy-agency/">Energy Agency</a>' in html
    assert 'href="/en/events/ministers-vienna/event.ics">Add to calendar</a>' in html


def test_press_contact_block_has_tel_links_with_labels_mailto_and_vcard(client, release):
    html = client.get("/en/events/ministers-vienna/").content.decode()

    assert "Olga Smirnova" in html and "Press Secretary" in html
    assert '<span class="contact-label">tel</span> <a class="tel" href="tel:+74951234567">+7 495 123-45-67</a>' in html
    assert '<span class="contact-label">mobile</span> <a class="tel" href="tel:+79161234567">' in html
    assert 'href="mailto:press@example.org"' in html
    assert 'href="/en/contacts/olga-smirnova.vcf"' in html


def test_other_events_share_the_section_or_people_and_never_the_event_itself(client, release):
    same_section = EventFactory(title="Another security meeting", section=release.section)
    shared_person = EventFactory(title="Minister's visit")
    EventParticipantFactory(event=shared_person, person=release.participants.get())
    EventFactory(title="Unrelated fair")

    response = client.get("/en/events/ministers-vienna/")

    assert {event.title for event in response.context["other_events"]} == {same_section.title, shared_person.title}


def test_other_events_follow_edits_and_withdrawals_on_the_next_request(
    client, release, django_capture_on_commit_callbacks
):
    other = EventFactory(title="Another security meeting", section=release.section)
    first = client.get("/en/events/ministers-vienna/")  # the choice of other events is now kept
    assert [event.title for event in first.context["other_events"]] == ["Another security meeting"]

    other.title = "Security meeting, new date"
    with django_capture_on_commit_callbacks(execute=True):
        other.save()
    html = client.get("/en/events/ministers-vienna/").content.decode()
    assert "Security meeting, new date" in html and "Another security meeting" not in html

    with django_capture_on_commit_callbacks(execute=True):
        event_withdraw(event=other, user=UserFactory(is_staff=True, is_superuser=True), reason="Cancelled.")
    response = client.get("/en/events/ministers-vienna/")
    assert response.context["other_events"] == []
    assert "Security meeting, new date" not in response.content.decode()


def test_event_page_carries_open_graph_twitter_and_json_ld(client, release):
    html = client.get("/en/events/ministers-vienna/").content.decode()

    assert '<meta property="og:title" content="Foreign ministers meet in Vienna">' in html
    assert '<meta property="og:url" content="http://testserver/en/events/ministers-vienna/">' in html
    assert '<meta property="og:image" content="http://testserver/files/' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == release.title
    assert data["about"]["@type"] == "Event"
    assert data["about"]["startDate"] == "2026-05-11T09:30:00+00:00"
    assert data["about"]["location"]["name"] == "Vienna, Hofburg"


def test_json_ld_cannot_be_broken_out_of_by_a_title(client):
    EventFactory(slug="tricky", title="</script><script>alert(1)</script>")

    html = client.get("/en/events/tricky/").content.decode()

    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E" in html


def test_public_pages_have_no_inline_styles_or_scripts(client, release):
    for path in ["/en/", "/en/events/", "/en/calendar/", "/en/events/ministers-vienna/", "/en/contacts/"]:
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        scripts = re.findall(r"<script[^>]*>", html)
        # Data blocks, or our own script files (the photo viewer); never inline code.
        assert all('type="application/ld+json"' in tag or ' src="/static/js/' in tag for tag in scripts), path


def test_every_image_has_alt_text(client, release):
    release.cover = release.attachments.filter(kind="photo").get()
    release.save()
    for path in ["/en/", "/en/events/", "/en/events/ministers-vienna/"]:
        html = client.get(path).content.decode()
        assert all(" alt=" in tag for tag in re.findall(r"<img[^>]*>", html)), path


def test_withdrawn_release_keeps_its_page_with_a_notice_but_leaves_lists(client, release):
    Event.objects.filter(pk=release.pk).update(
        status=Event.Status.WITHDRAWN,
        first_published_at=release.publish_at,
        withdrawn_at=datetime(2026, 5, 13, 8, tzinfo=UTC),
        withdrawal_reason="The meeting was postponed.",
    )

    html = client.get("/en/events/ministers-vienna/").content.decode()

    assert "This release was withdrawn on 13 May 2026: The meeting was postponed." in html
    assert '<meta name="robots" content="noindex">' in html
    assert release.title not in client.get("/en/events/").content.decode()


def test_public_update_note_is_shown_with_its_date(client, release):
    Event.objects.filter(pk=release.pk).update(
        public_updated_at=datetime(2026, 5, 12, 15, tzinfo=UTC), public_update_note="Corrected the venue."
    )

    html = client.get("/en/events/ministers-vienna/").content.decode()

    assert "Updated 12 May 2026: Corrected the venue." in html


def test_event_page_context_serves_the_preview_and_embargo_pages(release):
    draft = EventFactory(draft=True, title="Embargoed statement", slug="embargoed")
    request = RequestFactory().get("/en/embargo/token/")
    context = event_page_context(request, draft)
    context.update(
        preview_banner="Preview — not published",
        embargoed_until=datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        noindex=True,
    )

    html = render_to_string("events/event_detail.html", context, request=request)

    assert "Embargoed statement" in html
    assert "Preview — not published" in html
    assert "EMBARGOED UNTIL" in html and "1 June 2026 07:00" in html
    assert '<meta name="robots" content="noindex">' in html


def test_section_page_shows_description_subsections_and_events(client, release):
    html = client.get("/en/sections/security/").content.decode()

    assert "<h1>Security</h1>" in html
    assert "Talks and treaties." in html
    assert 'href="/en/sections/border/"' in html
    assert release.title in html


def test_section_index_lists_top_level_sections_with_their_subsections(client, release):
    html = client.get("/en/sections/").content.decode()

    assert 'href="/en/sections/security/">Security</a>' in html
    assert 'href="/en/sections/border/">Border</a>' in html


def test_people_and_organisations_pages_list_their_published_events(client, release):
    person_html = client.get("/en/people/ivan-sidorov/").content.decode()
    org_html = client.get("/en/organisations/energy-agency/").content.decode()

    assert "<h1>Ivan Sidorov</h1>" in person_html and release.title in person_html
    assert "Energy Agency" in org_html and release.title in org_html
    assert "Ivan Sidorov" in client.get("/en/people/").content.decode()
    assert "Energy Agency" in client.get("/en/organisations/").content.decode()


def test_press_contacts_page_lists_every_contact_with_vcard(client, release):
    other = PressContactFactory(name="Pavel Orlov", slug="pavel-orlov")

    html = client.get("/en/contacts/").content.decode()

    assert "Olga Smirnova" in html and "Pavel Orlov" in html
    assert 'href="/en/contacts/olga-smirnova.vcf"' in html and f'href="/en/contacts/{other.slug}.vcf"' in html


def test_search_page_shows_matching_public_releases(client, release):
    EventFactory(title="Harvest festival", lead="Apples.", body="<p>Pears.</p>")

    response = client.get("/en/search/", {"q": "ministers"})

    assert response.status_code == 200
    assert [event.title for event in response.context["results"]] == [release.title]
    assert "1 result for “ministers”" in response.content.decode()


def test_search_without_words_shows_the_form_only(client, release):
    response = client.get("/en/search/", {"q": "   "})

    assert response.status_code == 200
    assert list(response.context["results"]) == []


@pytest.mark.parametrize(
    "path",
    [
        "/en/events/no-such-release/",
        "/en/sections/no-such-section/",
        "/en/people/no-such-person/",
        "/en/organisations/no-such-organisation/",
        "/en/events/?page=99",
        "/en/events/?page=abc",
        "/xx/events/",
    ],
)
def test_unknown_addresses_are_404(client, release, path):
    assert client.get(path).status_code == 404


def test_inactive_section_is_404(client):
    SectionFactory(slug="archive", is_active=False)

    assert client.get("/en/sections/archive/").status_code == 404


def test_person_named_only_on_a_draft_has_no_page(client):
    hidden = PersonFactory(slug="secret-visitor", name="Secret Visitor")
    EventParticipantFactory(event=EventFactory(draft=True), person=hidden)

    assert client.get("/en/people/secret-visitor/").status_code == 404
    assert "Secret Visitor" not in client.get("/en/people/").content.decode()


def test_an_event_in_the_other_language_redirects_to_its_own_address(client):
    EventFactory(slug="peregovory", language="ru")

    response = client.get("/en/events/peregovory/?back=/en/events/")

    assert response.status_code == 302
    assert response["Location"] == "/ru/events/peregovory/?back=%2Fen%2Fevents%2F"


# Acceptance 7: query counts stay the same whatever the number of related rows.


def build_release(people: int, contacts: int, photos: int, organisations: int) -> Event:
    event = EventFactory(slug=f"release-{people}")
    for _ in range(people):
        EventParticipantFactory(event=event, person=PersonFactory(organization=OrganizationFactory()))
    for _ in range(contacts):
        contact = PressContactFactory(organization=OrganizationFactory())
        PhoneNumberFactory(person=contact)
        PhoneNumberFactory(person=contact, label=PhoneNumber.Label.MOBILE, number="+79161234567")
        EventPressContactFactory(event=event, person=contact)
    for _ in range(photos):
        PhotoFactory(event=event)
    for _ in range(organisations):
        event.organizations.add(OrganizationFactory())
    return event


EVENT_PAGE_QUERIES = 8


@pytest.mark.parametrize("size", [1, 8])
def test_event_page_query_count_does_not_grow_with_people_contacts_photos(client, django_assert_max_num_queries, size):
    event = build_release(people=size, contacts=size, photos=size, organisations=size)
    for _ in range(size):
        EventFactory(section=event.section)

    with django_assert_max_num_queries(EVENT_PAGE_QUERIES):
        response = client.get(f"/en/events/{event.slug}/")
    assert response.status_code == 200
    assert len(response.context["press_contacts"]) == size


# Page: the most queries it may make (lists: count + rows + the filter form's choices, and the content version
# on pages that keep values per version). Budgets of a cold cache. On All events the count, the filter menus
# and the next scheduled publication are then kept per content version, so the steady state is lower (see
# the warm test below). The written rows are kept per content version too: a page that shows them reads the
# version (which the page cache has already read in production) and, on a miss, the next scheduled
# publication that bounds the entry's life. Month grids are kept by what they show and need neither.
LIST_PAGES = {"/en/": 6, "/en/events/": 7, "/en/calendar/": 1, "/en/calendar/upcoming/": 4, "/en/search/?q=Meeting": 5}


@pytest.mark.parametrize(("path", "budget"), LIST_PAGES.items())
@pytest.mark.parametrize("count", [1, 25])
def test_list_page_query_count_does_not_grow_with_the_number_of_events(
    client, django_assert_max_num_queries, path, budget, count
):
    section = SectionFactory(parent=SectionFactory())
    for number in range(count):
        event = EventFactory(section=section, starts_at=timezone.now() + timedelta(hours=number - 12))
        event.cover = PhotoFactory(event=event)
        event.save()

    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_all_events_with_a_warm_cache_needs_only_the_page_itself(client, django_assert_num_queries, count):
    for number in range(count):
        event = EventFactory(starts_at=timezone.now() - timedelta(hours=number))
        event.cover = PhotoFactory(event=event)
        event.save()
    client.get("/en/events/?page=1")
    # The content version, then the page's rows: the count and the filter menus are remembered under that
    # version, and the first page skips nothing.
    with django_assert_num_queries(2):
        response = client.get("/en/events/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 25])
def test_directory_pages_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    person = PersonFactory(slug="ivan", organization=OrganizationFactory(slug="agency"))
    for _ in range(count):
        event = EventFactory()
        EventParticipantFactory(event=event, person=person)
        event.organizations.add(person.organization)
        contact = PressContactFactory()
        PhoneNumberFactory(person=contact)

    # A person's or an organisation's page also reads the content version and next scheduled publication that
    # the rows of their releases are kept under.
    budgets = {
        "/en/people/": 4,
        "/en/people/ivan/": 6,
        "/en/organisations/": 4,
        "/en/organisations/agency/": 6,
        "/en/contacts/": 4,
    }
    for path, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200


def test_home_lists_latest_releases_by_publication_not_by_event_date(client):
    now = timezone.now()
    EventFactory(
        title="Announcement of next year's summit",
        starts_at=now + timedelta(days=90),
        publish_at=now - timedelta(days=10),
    )
    EventFactory(
        title="Statement issued this morning", starts_at=now - timedelta(hours=3), publish_at=now - timedelta(hours=2)
    )
    body = client.get("/en/").content.decode()
    latest = body[body.index('id="latest-heading"') :]
    assert latest.index("Statement issued this morning") < latest.index("Announcement of next year&#x27;s summit")
