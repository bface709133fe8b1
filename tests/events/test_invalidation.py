"""A change drops exactly the cache tags of the pages that show it, and every other cached page stays a hit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import cache_invalidation, page_cache
from events.models import CacheTagVersion, Event
from events.page_cache import drop_tags
from events.services import releases
from events.views import HomeView
from tests.factories import (
    EventFactory,
    EventParticipantFactory,
    EventPressContactFactory,
    OrganizationFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RELEASE_LISTS = {
    "list:home",
    "list:all-events",
    "list:calendar",
    "list:upcoming",
    "list:feeds",
    "list:sitemap",
    "list:search",
    "list:people",
    "list:organisations",
}
COVER_LISTS = {"list:home", "list:all-events", "list:upcoming", "list:feeds", "list:search"}


class Site:
    """A parent section with a sub-section holding a public release (with its Russian translation, people,
    an organisation, a cover and a second photo), a draft and a scheduled release; another section with an
    unrelated release; an unrelated person."""

    def __init__(self) -> None:
        self.editor = UserFactory(is_superuser=True)
        self.parent = SectionFactory(name="Diplomacy")
        self.section = SectionFactory(name="Summits", parent=self.parent)
        self.other_section = SectionFactory(name="Economy")
        self.organisation = OrganizationFactory()
        self.release = EventFactory(title="Summit communique", section=self.section, first_published_at=timezone.now())
        self.release.organizations.add(self.organisation)
        self.translation = EventFactory(
            title="Коммюнике саммита",
            section=self.section,
            language="ru",
            translation_key=self.release.translation_key,
            first_published_at=timezone.now(),
        )
        self.speaker = EventParticipantFactory(event=self.release).person
        self.contact = EventPressContactFactory(event=self.release).person
        self.cover = PhotoFactory(event=self.release)
        self.photo = PhotoFactory(event=self.release)
        self.release.cover = self.cover
        self.release.save()
        self.draft = EventFactory(title="Draft statement", section=self.section, status=Event.Status.DRAFT)
        self.scheduled = EventFactory(
            title="Scheduled statement", section=self.section, publish_at=timezone.now() + timedelta(hours=2)
        )
        self.unrelated = EventFactory(title="Trade figures", section=self.other_section)
        self.stranger = PersonFactory(name="Unrelated Person")
        EventParticipantFactory(event=self.unrelated, person=self.stranger)

    def release_set(self, event=None) -> set[str]:
        event = event or self.release
        tags = {f"release:{event.pk}", f"section:{self.section.pk}", f"section:{self.parent.pk}", *RELEASE_LISTS}
        if event == self.release:
            tags |= {
                f"release:{self.translation.pk}",
                f"person:{self.speaker.pk}",
                f"person:{self.contact.pk}",
                f"organisation:{self.organisation.pk}",
            }
        return tags


@pytest.fixture
def site(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Site()


@pytest.fixture
def dropped(django_capture_on_commit_callbacks):
    """``dropped(change)``: run ``change`` and commit it; the tags whose versions it changed."""

    def run(change) -> set[str]:
        before = dict(CacheTagVersion.objects.values_list("tag", "version"))
        with django_capture_on_commit_callbacks(execute=True):
            change()
        after = dict(CacheTagVersion.objects.values_list("tag", "version"))
        return {tag for tag, version in after.items() if before.get(tag) != version}

    return run


def edit(event, user, note="", minor=False, **changes):
    event = Event.objects.get(pk=event.pk)
    for name, value in changes.items():
        setattr(event, name, value)
    releases.event_save(event=event, user=user, change_note=note, minor_change=minor)


def test_a_draft_edit_drops_nothing(site, dropped):
    assert dropped(lambda: edit(site.draft, site.editor, title="Draft statement, second try")) == set()


def test_an_edit_to_a_release_in_review_drops_nothing(site, dropped):
    releases.event_submit(event=site.draft, user=site.editor)
    assert dropped(lambda: edit(site.draft, site.editor, lead="Reworded lead.")) == set()


def test_a_scheduled_release_edit_drops_nothing(site, dropped):
    assert dropped(lambda: edit(site.scheduled, site.editor, title="Scheduled statement, fixed")) == set()


def test_a_scheduled_release_moved_within_the_hours_ahead_drops_nothing(site, dropped):
    later = timezone.now() + timedelta(hours=3)
    assert dropped(lambda: releases.event_schedule(event=site.scheduled, user=site.editor, publish_at=later)) == set()


def test_a_release_scheduled_sooner_than_a_cached_page_expires_drops_the_schedule_tag(site, dropped, page_cache):
    releases.event_submit(event=site.draft, user=site.editor)
    soon = timezone.now() + timedelta(seconds=90)
    publisher = UserFactory(is_superuser=True)
    assert dropped(lambda: releases.event_schedule(event=site.draft, user=publisher, publish_at=soon)) == {"schedule"}


def test_publishing_drops_the_release_its_sections_people_and_the_lists(site, dropped):
    releases.event_submit(event=site.draft, user=site.editor)
    assert dropped(lambda: releases.event_publish(event=site.draft, user=site.editor, force_reason="Urgent")) == (
        site.release_set(site.draft)
    )


def test_withdrawing_drops_the_release_its_translation_sections_people_organisation_and_lists(site, dropped):
    change = lambda: releases.event_withdraw(event=site.release, user=site.editor, reason="Published in error.")  # noqa: E731
    assert dropped(change) == site.release_set()


def test_a_correction_drops_the_same_set(site, dropped):
    change = lambda: edit(site.release, site.editor, title="Summit communique (corrected)", note="Title fixed.")  # noqa: E731
    assert dropped(change) == site.release_set()


def test_moving_a_public_release_to_another_section_drops_both_sections(site, dropped):
    change = lambda: edit(site.release, site.editor, section=site.other_section, note="Wrong section.")  # noqa: E731
    assert dropped(change) == site.release_set() | {f"section:{site.other_section.pk}"}


def test_a_person_rename_drops_their_pages_and_the_people_lists(site, dropped):
    def rename():
        site.speaker.name = "Anna Petrova-Smirnova"
        site.speaker.save()

    assert dropped(rename) == {f"person:{site.speaker.pk}", "list:people"}


def test_a_section_rename_drops_it_its_parent_and_the_pages_showing_section_names(site, dropped):
    def rename():
        site.section.name = "Summits and forums"
        site.section.save()

    assert dropped(rename) == {f"section:{site.section.pk}", f"section:{site.parent.pk}", "list:sections"}


def test_a_caption_on_a_public_release_drops_only_its_page(site, dropped):
    def caption():
        site.photo.caption = "The delegations after the talks."
        site.photo.save()

    assert dropped(caption) == {f"release:{site.release.pk}"}


def test_a_cover_caption_on_a_public_release_drops_its_page_and_the_lists_showing_its_cover(site, dropped):
    def caption():
        site.cover.caption = "Heads of delegation."
        site.cover.save()

    related = {f"person:{site.speaker.pk}", f"person:{site.contact.pk}", f"organisation:{site.organisation.pk}"}
    sections = {f"section:{site.section.pk}", f"section:{site.parent.pk}"}
    assert dropped(caption) == {f"release:{site.release.pk}", *COVER_LISTS, *sections, *related}


def test_a_caption_on_a_draft_drops_nothing(site, dropped):
    photo = PhotoFactory(event=site.draft)

    def caption():
        photo.caption = "Not public yet."
        photo.save()

    assert dropped(caption) == set()


def test_a_translation_link_drops_the_pages_of_the_releases_linked(site, dropped, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        english = EventFactory(title="Trade talks", section=site.other_section)
        russian = EventFactory(title="Торговые переговоры", section=site.other_section, language="ru")
    change = lambda: edit(russian, site.editor, translation_key=english.translation_key, minor=True)  # noqa: E731
    assert dropped(change) == {f"release:{english.pk}", f"release:{russian.pk}"}


def test_a_participant_added_to_a_public_release_drops_its_set_and_the_new_persons_page(site, dropped):
    newcomer = PersonFactory()
    change = lambda: site.release.participants.add(newcomer)  # noqa: E731
    assert dropped(change) == site.release_set() | {f"person:{newcomer.pk}"}


def test_a_participant_added_to_a_draft_drops_nothing(site, dropped):
    person = PersonFactory()
    assert dropped(lambda: site.draft.participants.add(person)) == set()


def test_the_site_identity_drops_every_page(site, dropped):
    from events.models import SiteIdentity  # noqa: PLC0415 - local to this one test

    def rename():
        identity = SiteIdentity.objects.first() or SiteIdentity()
        identity.name_en = "Press Office of the Union"
        identity.save()

    assert dropped(rename) == {"site"}


def test_a_transaction_drops_the_union_of_its_changes(site, dropped):
    def both():
        site.speaker.name = "New name"
        site.speaker.save()
        site.section.name = "New section name"
        site.section.save()

    assert dropped(both) == {f"person:{site.speaker.pk}", "list:people", f"section:{site.section.pk}"} | {
        f"section:{site.parent.pk}",
        "list:sections",
    }


# --- Pages outside the dropped set stay cached ------------------------------------------------------------------


def cache_them(client, urls: dict[str, str]) -> None:
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name
        assert client.get(url)["X-Page-Cache"] == "hit", name


def states(client, urls: dict[str, str]) -> dict[str, str]:
    return {name: client.get(url)["X-Page-Cache"] for name, url in urls.items()}


def test_a_person_rename_leaves_every_page_not_showing_them_cached(client, site, page_cache, dropped):
    urls = {
        "home": reverse("events:home"),
        "all events": reverse("events:list"),
        "release with the person": site.release.get_absolute_url(),
        "their page": reverse("events:person", kwargs={"slug": site.speaker.slug}),
        "unrelated release": site.unrelated.get_absolute_url(),
        "unrelated person": reverse("events:person", kwargs={"slug": site.stranger.slug}),
        "calendar": reverse("events:calendar"),
        "sections": reverse("events:sections"),
        "rss": reverse("events:feed-rss"),
    }
    cache_them(client, urls)

    def rename():
        site.speaker.name = "Anna Petrova-Smirnova"
        site.speaker.save()

    dropped(rename)
    assert states(client, urls) == {
        "home": "hit",
        "all events": "miss",  # its people filter menu shows the name
        "release with the person": "miss",
        "their page": "miss",
        "unrelated release": "hit",
        "unrelated person": "hit",
        "calendar": "hit",
        "sections": "hit",
        "rss": "hit",
    }
    assert "Anna Petrova-Smirnova" in client.get(site.release.get_absolute_url()).content.decode()


def test_a_draft_edit_leaves_every_page_cached(client, site, page_cache, dropped):
    urls = {
        "home": reverse("events:home"),
        "all events": reverse("events:list"),
        "section": reverse("events:section", kwargs={"slug": site.section.slug}),
        "release": site.release.get_absolute_url(),
        "search": reverse("events:search") + "?q=statement",
    }
    cache_them(client, urls)
    dropped(lambda: edit(site.draft, site.editor, title="Draft statement, again"))
    dropped(lambda: edit(site.scheduled, site.editor, lead="A new lead for later."))
    assert set(states(client, urls).values()) == {"hit"}


def test_publishing_refreshes_the_pages_showing_the_release_and_leaves_the_others(client, site, page_cache, dropped):
    urls = {
        "home": reverse("events:home"),
        "section": reverse("events:section", kwargs={"slug": site.section.slug}),
        "parent section": reverse("events:section", kwargs={"slug": site.parent.slug}),
        "sibling release": site.release.get_absolute_url(),  # "other events" of the same section
        "unrelated release": site.unrelated.get_absolute_url(),
        "unrelated person": reverse("events:person", kwargs={"slug": site.stranger.slug}),
        "sections": reverse("events:sections"),
        "accessibility": reverse("events:accessibility"),
    }
    cache_them(client, urls)
    releases.event_submit(event=site.draft, user=site.editor)
    dropped(lambda: releases.event_publish(event=site.draft, user=site.editor, force_reason="Urgent"))
    assert states(client, urls) == {
        "home": "miss",
        "section": "miss",
        "parent section": "miss",
        "sibling release": "miss",
        "unrelated release": "hit",
        "unrelated person": "hit",
        "sections": "hit",
        "accessibility": "hit",
    }
    for name in ("home", "section", "parent section"):
        assert "Draft statement" in client.get(urls[name]).content.decode(), name


def test_every_dropped_tag_is_one_that_pages_carry():
    """The two sides use the same names: each list tag a change drops is carried by some page."""
    carried = {tag for tags in page_cache.PAGE_LIST_TAGS.values() for tag in tags}
    assert cache_invalidation.RELEASE_LISTS <= carried
    assert cache_invalidation.COVER_LISTS <= carried


def test_a_change_committed_while_a_page_is_made_never_leaves_that_page_current(client, page_cache, monkeypatch):
    """Several app servers: one renders the home page while another commits a publication. The entry is filed
    under the versions read before rendering, so the next request makes the page again."""
    EventFactory(title="Before the race")
    rendering = HomeView.get_context_data

    def render_while_another_server_publishes(view, **kwargs):
        context = rendering(view, **kwargs)
        drop_tags({"list:home"})  # committed elsewhere after this page read the releases
        return context

    monkeypatch.setattr(HomeView, "get_context_data", render_while_another_server_publishes)
    assert client.get(reverse("events:home"))["X-Page-Cache"] == "miss"
    monkeypatch.setattr(HomeView, "get_context_data", rendering)
    assert client.get(reverse("events:home"))["X-Page-Cache"] == "miss"
    assert client.get(reverse("events:home"))["X-Page-Cache"] == "hit"


def test_a_page_made_while_a_change_is_committed_is_not_offered_to_the_caches_in_front(client, page_cache, monkeypatch):
    """Found by the publish storm: a reader's copy, rendered by the app server while the publication was
    committed and its purge sent, reached Varnish after the purge and was kept there until its s-maxage, so
    the release stayed off the home page for minutes. Such a page now says no shared cache may keep it."""
    EventFactory(title="Before the race")
    rendering = HomeView.get_context_data

    def render_while_another_server_publishes(view, **kwargs):
        context = rendering(view, **kwargs)
        drop_tags({"list:home"})
        return context

    monkeypatch.setattr(HomeView, "get_context_data", render_while_another_server_publishes)
    raced = client.get(reverse("events:home"))
    assert raced.status_code == 200
    assert "s-maxage" not in raced["Cache-Control"] and "public" not in raced["Cache-Control"]
    assert "Surrogate-Key" not in raced
    monkeypatch.setattr(HomeView, "get_context_data", rendering)
    fresh = client.get(reverse("events:home"))
    assert "s-maxage" in fresh["Cache-Control"] and "Surrogate-Key" in fresh
