"""What the public pages keep between requests (issue 20) is never stale: the written rows of a list, the keys
of each list and search page, the filter form, the home page's month grid, a release with its people, photos and
organisations, a section with its sub-sections. After a committed change, the next request of every page
showing it shows the change, with the whole-page cache off as with it on."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    PhotoFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

HOME = "/en/"
ALL_EVENTS = "/en/events/"
SEARCH = "/en/search/?q=communique"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs a change as a committed transaction would: its cache invalidation runs after it."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


@pytest.fixture
def release(commit):
    made = {}

    def build():
        made["parent"] = SectionFactory(name="Diplomacy", slug="diplomacy")
        made["section"] = SectionFactory(name="Summits", slug="summits", parent=made["parent"])
        event = EventFactory(title="Summit communique", slug="summit-communique", section=made["section"])
        made["photo"] = PhotoFactory(event=event, caption="Delegations before the talks.")
        event.cover = made["photo"]
        event.save()
        made["speaker"] = EventParticipantFactory(event=event, person__name="Anna Speaker").person
        made["event"] = event

    commit(build)
    return made


def card_pages(release) -> list[str]:
    """Every page showing the release's row: the home page, All events, its section's and its parent's pages,
    search; and its own page."""
    return [
        HOME,
        ALL_EVENTS,
        "/en/sections/summits/",
        "/en/sections/diplomacy/",
        SEARCH,
        "/en/events/summit-communique/",
    ]


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def warm(client, paths) -> None:
    """Each page requested twice, so that everything it keeps is kept."""
    for path in paths:
        page_text(client, path)
        page_text(client, path)


@pytest.fixture(params=["uncached", "page cache on"])
def cache_mode(request, settings):
    settings.CSO_PAGE_CACHE_SECONDS = 0 if request.param == "uncached" else 300
    return request.param


def test_a_new_title_shows_on_the_next_request_of_every_page_with_the_release(client, commit, release, cache_mode):
    paths = card_pages(release)
    warm(client, paths)
    event = release["event"]

    def retitle():
        event.title = "Final communique of the summit"
        event.save()

    commit(retitle)

    for path in paths:
        html = page_text(client, path)
        assert "Final communique of the summit" in html, path
        assert "Summit communique" not in html, path


def test_a_section_rename_shows_on_every_row_and_on_the_release_page(client, commit, release, cache_mode):
    paths = card_pages(release)
    warm(client, paths)
    section = release["section"]

    def rename():
        section.name = "Summit meetings"
        section.save()

    commit(rename)

    for path in [HOME, ALL_EVENTS, "/en/sections/summits/", "/en/sections/diplomacy/", SEARCH]:
        html = page_text(client, path)
        assert '<span class="event-section">Summit meetings</span>' in html, path
    release_page = page_text(client, "/en/events/summit-communique/")
    assert "Summit meetings" in release_page and ">Summits<" not in release_page


def test_a_sub_section_rename_shows_in_its_parents_navigation(client, commit, release, cache_mode):
    warm(client, ["/en/sections/diplomacy/"])
    section = release["section"]

    def rename():
        section.name = "Summit meetings"
        section.save()

    commit(rename)

    html = page_text(client, "/en/sections/diplomacy/")
    assert '<a href="/en/sections/summits/">Summit meetings</a>' in html


def test_a_photo_caption_and_alt_text_show_on_the_next_request(client, commit, release, cache_mode):
    paths = card_pages(release)
    warm(client, paths)
    photo = release["photo"]
    assert photo.state == photo.State.READY

    def describe():
        photo.caption = "The delegations after signing."
        photo.alt_text = "Two ministers shaking hands."
        photo.save()

    commit(describe)

    release_page = page_text(client, "/en/events/summit-communique/")
    assert "The delegations after signing." in release_page
    assert "Delegations before the talks." not in release_page
    # The cover is the thumbnail of every row.
    for path in [HOME, ALL_EVENTS, "/en/sections/summits/", SEARCH]:
        assert 'alt="Two ministers shaking hands."' in page_text(client, path), path


def test_a_persons_new_name_shows_on_the_release_page(client, commit, release, cache_mode):
    warm(client, ["/en/events/summit-communique/"])
    speaker = release["speaker"]

    def rename():
        speaker.name = "Anna Newname"
        speaker.save()

    commit(rename)

    html = page_text(client, "/en/events/summit-communique/")
    assert "Anna Newname" in html and "Anna Speaker" not in html


def test_a_withdrawn_release_leaves_every_list_at_once(client, commit, release, cache_mode):
    lists = [HOME, ALL_EVENTS, "/en/sections/summits/", SEARCH]
    warm(client, lists)
    event = release["event"]

    def withdraw():
        event.status = Event.Status.WITHDRAWN
        event.first_published_at = event.first_published_at or timezone.now()
        event.save()

    commit(withdraw)

    for path in lists:
        assert "Summit communique" not in page_text(client, path), path


def test_a_new_release_joins_the_kept_lists_and_search_results(client, commit, release, cache_mode):
    lists = [HOME, ALL_EVENTS, "/en/sections/summits/", SEARCH]
    warm(client, lists)

    commit(lambda: EventFactory(title="Second communique", section=release["section"]))

    for path in lists:
        assert "Second communique" in page_text(client, path), path


def test_a_scheduled_release_appears_in_the_kept_lists_at_its_minute(client, commit, release, settings):
    settings.CSO_PAGE_CACHE_SECONDS = 0
    now = timezone.now()
    commit(
        lambda: EventFactory(
            title="Scheduled communique", section=release["section"], publish_at=now + timedelta(minutes=5)
        )
    )
    lists = [HOME, ALL_EVENTS, "/en/sections/summits/", SEARCH]
    with time_machine.travel(now, tick=False):
        warm(client, lists)
        for path in lists:
            assert "Scheduled communique" not in page_text(client, path), path
    with time_machine.travel(now + timedelta(minutes=5, seconds=1), tick=False):
        for path in lists:
            assert "Scheduled communique" in page_text(client, path), path


def test_the_home_grid_counts_a_new_event_on_its_day(client, commit, release, settings):
    settings.CSO_PAGE_CACHE_SECONDS = 0
    today = timezone.localdate()
    # A day of this month other than the release's (it took place yesterday).
    day = today.replace(day=15 if release["event"].starts_at.date().day != 15 else 16)
    link = f'href="/en/calendar/{day.year}/{day.month}/{day.day}/"'
    warm(client, [HOME])
    assert link not in page_text(client, HOME)

    starts = timezone.make_aware(datetime.combine(day, time(12)))
    commit(lambda: EventFactory(title="Mid-month briefing", starts_at=starts))

    html = page_text(client, HOME)
    assert link in html
    assert re.search(link + r' aria-label="[^"]*: 1 event"', html)


def test_the_kept_release_article_follows_the_way_back_it_was_opened_with(client, release):
    page = "/en/events/summit-communique/"
    from_section = page_text(client, page + "?back=/en/sections/summits/")
    from_search = page_text(client, page + "?back=/en/search/%3Fq%3Dcommunique")
    plain = page_text(client, page)

    assert '<a class="back-link" href="/en/sections/summits/">' in from_section
    assert '<a class="back-link" href="/en/search/?q=communique">' in from_search
    assert '<a class="back-link" href="/en/events/">' in plain
    # Asked again, each is the same as the first time.
    assert page_text(client, page + "?back=/en/sections/summits/") == from_section
    assert page_text(client, page) == plain


def test_a_preview_is_written_afresh_never_taken_from_the_public_pages_kept_article(client, superuser, release):
    event = release["event"]
    warm(client, ["/en/events/summit-communique/"])
    # Saved without a commit (the test's transaction never commits), so the content version stays where it was:
    # the public page may go on showing its kept article, but the preview shows the release as it is.
    event.title = "Preview-only title"
    event.save()
    client.force_login(superuser)

    html = page_text(client, reverse("admin:events_event_preview", args=[event.pk]))

    assert "Preview-only title" in html and "Summit communique" not in html.split("</head>")[1]


def upcoming_panel(html: str) -> str:
    return html.split('id="upcoming-heading"')[1].split("</section>")[0]


def test_the_kept_upcoming_panel_drops_an_event_the_moment_it_is_over(client, commit, settings):
    settings.CSO_PAGE_CACHE_SECONDS = 0
    now = timezone.now().replace(microsecond=0)

    def build():
        EventFactory(title="Briefing in ten minutes", starts_at=now + timedelta(minutes=10))
        EventFactory(title="Forum under way", starts_at=now - timedelta(days=1), ends_at=now + timedelta(minutes=20))
        EventFactory(title="Visit next week", starts_at=now + timedelta(days=7))

    commit(build)
    with time_machine.travel(now, tick=False):
        warm(client, [HOME])
        panel = upcoming_panel(page_text(client, HOME))
        assert "Briefing in ten minutes" in panel and "Forum under way" in panel and "Visit next week" in panel
    with time_machine.travel(now + timedelta(minutes=10), tick=False):
        assert "Briefing in ten minutes" in upcoming_panel(page_text(client, HOME))  # starting now: not over yet
    with time_machine.travel(now + timedelta(minutes=11), tick=False):
        panel = upcoming_panel(page_text(client, HOME))
        assert "Briefing in ten minutes" not in panel and "Forum under way" in panel
    with time_machine.travel(now + timedelta(minutes=21), tick=False):
        panel = upcoming_panel(page_text(client, HOME))
        assert "Forum under way" not in panel and "Visit next week" in panel


def test_the_kept_filter_form_is_used_only_with_no_filter_in_use(client, release):
    warm(client, [ALL_EVENTS])

    chosen = page_text(client, ALL_EVENTS + "?kind=speech")
    plain = page_text(client, ALL_EVENTS)
    wrong = page_text(client, ALL_EVENTS + "?year=abc")

    assert '<option value="speech" selected>' in chosen and "Filters (1 in use)" in chosen
    assert '<option value="speech" selected>' not in plain and "Filters (1 in use)" not in plain
    assert '<details class="filter-details" open>' in wrong and '<details class="filter-details" open>' not in plain
