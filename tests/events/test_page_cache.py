"""The anonymous page cache never hides a due release, never shows a changed one stale, never caches staff."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse

from events import page_cache
from events.filters import EventFilter
from events.models import Event
from events.services import releases
from tests.factories import EventFactory, EventParticipantFactory, PersonFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
PUBLISH_AT = NOW + timedelta(minutes=30)


def public_urls(event):
    day = event.starts_at
    return {
        "home": reverse("events:home"),
        "list": reverse("events:list"),
        "calendar month": reverse("events:calendar-month", kwargs={"year": day.year, "month": day.month}),
        "calendar day": reverse("events:calendar-day", kwargs={"year": day.year, "month": day.month, "day": day.day}),
        "section": reverse("events:section", kwargs={"slug": event.section.slug}),
        "rss": reverse("events:feed-rss"),
        "atom": reverse("events:feed-atom"),
        "ics": reverse("events:ics"),
        "search": reverse("events:search") + "?q=Scheduled",
        # "Other events" on a release of the same section.
        "sibling release": Event.objects.get(title="Visible control release").get_absolute_url(),
    }


@pytest.fixture
def scheduled(page_cache):
    with time_machine.travel(NOW, tick=False):
        section = SectionFactory(slug="summits")
        EventFactory(title="Visible control release", section=section, starts_at=NOW - timedelta(days=1))
        event = EventFactory(
            title="Scheduled summit communique",
            slug="scheduled-summit",
            section=section,
            starts_at=NOW + timedelta(hours=2),
            publish_at=PUBLISH_AT,
        )
    return event


def test_a_scheduled_release_appears_on_every_cached_page_at_its_minute(client, scheduled):
    urls = public_urls(scheduled)
    with time_machine.travel(NOW, tick=False):
        for name, url in urls.items():
            first = client.get(url)
            assert first.status_code == 200, name
            assert "Scheduled summit communique" not in first.content.decode(), name
            again = client.get(url)
            assert again["X-Page-Cache"] == "hit", name
    with time_machine.travel(PUBLISH_AT - timedelta(seconds=1), tick=False):
        for name, url in urls.items():
            assert "Scheduled summit communique" not in client.get(url).content.decode(), name
        assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(PUBLISH_AT, tick=False):
        for name, url in urls.items():
            assert "Scheduled summit communique" in client.get(url).content.decode(), name
        assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_browser_lifetime_never_reaches_past_the_next_scheduled_release(client, scheduled):
    with time_machine.travel(PUBLISH_AT - timedelta(seconds=20), tick=False):
        response = client.get(reverse("events:home"))
    assert "public" in response["Cache-Control"]
    assert "max-age=20" in response["Cache-Control"]


def test_an_edit_to_a_published_release_shows_on_the_next_request(client, page_cache):
    event = EventFactory(title="Original headline", slug="talks")
    editor = UserFactory(is_superuser=True)
    url = event.get_absolute_url()
    assert "Original headline" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    event.title = "Corrected headline"
    releases.event_save(event=event, user=editor, change_note="Headline corrected.")
    body = client.get(url).content.decode()
    assert "Corrected headline" in body
    assert "Original headline" not in body
    assert "Corrected headline" in client.get(reverse("events:list")).content.decode()


def test_a_withdrawn_release_disappears_from_cached_lists_at_once(client, page_cache):
    event = EventFactory(title="Release to withdraw", first_published_at=NOW)
    editor = UserFactory(is_superuser=True)
    assert "Release to withdraw" in client.get(reverse("events:list")).content.decode()
    releases.event_withdraw(event=event, user=editor, reason="Published in error.")
    assert "Release to withdraw" not in client.get(reverse("events:list")).content.decode()
    assert "Published in error." in client.get(event.get_absolute_url()).content.decode()


def test_signed_in_staff_never_get_or_fill_the_cache(client, page_cache):
    EventFactory(title="Some release")
    client.force_login(UserFactory(is_staff=True))
    first = client.get(reverse("events:list"))
    second = client.get(reverse("events:list"))
    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second


def test_embargo_and_admin_pages_are_not_cached(client, page_cache):
    assert "X-Page-Cache" not in client.get("/admin/login/")
    response = client.get("/en/embargo/not-a-token/")
    assert response.status_code == 404
    assert "X-Page-Cache" not in response


def test_unchanged_event_page_and_feed_answer_304_to_if_none_match(client, page_cache):
    event = EventFactory(title="Conditional release")
    for url in (event.get_absolute_url(), reverse("events:feed-rss"), reverse("events:ics")):
        first = client.get(url)
        assert first.status_code == 200
        etag = first["ETag"]
        second = client.get(url, headers={"if-none-match": etag})
        assert second.status_code == 304, url
        assert second.content == b""


def test_changed_event_page_does_not_answer_304_to_the_old_etag(client, page_cache):
    event = EventFactory(title="Before the correction")
    etag = client.get(event.get_absolute_url())["ETag"]
    event.title = "After the correction"
    event.save()
    response = client.get(event.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200
    assert "After the correction" in response.content.decode()


def test_a_cache_hit_runs_one_query_the_versions_of_its_tags(client, page_cache, django_assert_num_queries):
    EventFactory(title="Popular release")
    url = reverse("events:list")
    client.get(url)
    with django_assert_num_queries(1) as captured:
        assert client.get(url)["X-Page-Cache"] == "hit"
    assert "events_cachetagversion" in captured.captured_queries[0]["sql"]


def test_a_cache_hit_carries_the_same_security_headers_as_the_page_it_stored(client, page_cache):
    event = EventFactory(title="Widely read release")
    miss = client.get(event.get_absolute_url())
    hit = client.get(event.get_absolute_url())
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "ETag", "Content-Language"):
        assert hit.get(header) == miss.get(header), header
    assert "default-src 'none'" in hit["Content-Security-Policy"]
    assert hit["Cache-Control"].startswith("public")
    assert "max-age=" in hit["Cache-Control"]
    assert hit.content == miss.content


def test_a_304_is_answered_from_the_cache_with_only_the_version_query(client, page_cache, django_assert_num_queries):
    event = EventFactory(title="Conditional cached release")
    etag = client.get(event.get_absolute_url())["ETag"]
    with django_assert_num_queries(1):
        response = client.get(event.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_request_reads_the_content_version_once_and_sees_its_own_changes(django_assert_num_queries):
    first = page_cache.content_version()
    with page_cache.one_version_per_request():
        with django_assert_num_queries(1):
            assert page_cache.content_version() == first
            assert page_cache.content_version() == first
        # A change saved during this request (an editor's save) is what the rest of it reads.
        bumped = str(page_cache.bump_content_version())
        with django_assert_num_queries(0):
            assert page_cache.content_version() == bumped != first
    # Outside a request every call asks the database: a long-running command sees other processes' changes.
    with django_assert_num_queries(2):
        assert page_cache.content_version() == bumped
        assert page_cache.content_version() == bumped


def test_a_person_named_only_on_a_scheduled_release_joins_the_filter_menu_at_its_minute(client, scheduled):
    EventParticipantFactory(event=scheduled, person=PersonFactory(name="Nadia Scheduled", slug="nadia"))
    with time_machine.travel(NOW, tick=False):
        assert 'value="nadia"' not in client.get(reverse("events:list")).content.decode()
    with time_machine.travel(PUBLISH_AT - timedelta(seconds=1), tick=False):
        assert 'value="nadia"' not in client.get(reverse("events:list") + "?page=1").content.decode()
    with time_machine.travel(PUBLISH_AT, tick=False):
        assert 'value="nadia"' in client.get(reverse("events:list") + "?page=1").content.decode()


def cached_keys(kind: str) -> list[str]:
    return [key for key in cache._cache if f":cso:{kind}:" in key]


def test_three_hundred_tracking_tags_make_one_miss_and_one_cache_entry(client, page_cache):
    EventFactory(title="Widely shared release")
    url = reverse("events:list")

    answers = [client.get(url, {"utm_x": number})["X-Page-Cache"] for number in range(300)]

    assert answers.count("miss") == 1
    assert answers.count("hit") == 299
    assert len(cached_keys("page")) == 1
    assert len(cached_keys("count")) == 1


def test_a_page_never_sees_the_parameters_it_does_not_read(client):
    EventFactory(title="Statement on the talks", kind=Event.Kind.STATEMENT)
    EventFactory(title="Briefing on the talks", kind=Event.Kind.NEWS)

    response = client.get(
        reverse("events:list"), {"kind": "statement", "utm_source": "newsletter", "fbclid": "x1", "gclid": "y2"}
    )

    html = response.content.decode()
    assert "Statement on the talks" in html
    assert "Briefing on the talks" not in html
    for tag in ("utm_source", "newsletter", "fbclid", "gclid"):
        assert tag not in html, tag
    assert response.wsgi_request.get_full_path() == "/en/events/?kind=statement"


def test_a_page_number_written_in_different_ways_is_one_cache_entry(client, page_cache):
    for number in range(25):
        EventFactory(title=f"Archived release {number}")
    url = reverse("events:list")

    answers = [client.get(url, {"page": value})["X-Page-Cache"] for value in ("2", "02", " 2", "+2", "0_2")]

    assert answers == ["miss", "hit", "hit", "hit", "hit"]
    assert len(cached_keys("page")) == 1


def test_a_list_total_is_counted_once_whatever_else_its_query_carries(client):
    EventFactory(title="Counted release", starts_at=NOW)
    url = reverse("events:list")

    for query in ({}, {"utm_campaign": "a"}, {"fbclid": "b"}, {"made_up": "c"}, {"back": "/en/"}):
        assert "Counted release" in client.get(url, query).content.decode()
    assert len(cached_keys("count")) == 1

    for query in ({"year": "2026"}, {"year": "02026", "gclid": "d"}):
        assert "Counted release" in client.get(url, query).content.decode()
    assert len(cached_keys("count")) == 2


def test_every_parameter_a_public_page_reads_reaches_it():
    assert set(EventFilter.base_filters) == page_cache.LIST_FILTERS

    def patterns(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from patterns(pattern)
            else:
                yield pattern

    paginated = [
        pattern.name
        for pattern in patterns(get_resolver(page_cache.PUBLIC_URLCONF))
        if getattr(getattr(pattern.callback, "view_class", None), "paginate_by", None)
    ]
    assert paginated
    for name in paginated:
        assert "page" in page_cache.QUERY_PARAMETERS.get(name, ()), name


def version_writes(captured) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if "events_contentversion" in query["sql"] and query["sql"].lstrip().upper().startswith("UPDATE")
    )


def test_a_transaction_changing_many_records_writes_one_new_content_version():
    before = page_cache.content_version()
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            for number in range(5):
                EventFactory(title=f"Imported release {number}")

    assert version_writes(captured) == 1
    assert page_cache.content_version() != before


def test_a_change_rolled_back_in_a_savepoint_does_not_hide_the_next_change_from_the_cache():
    before = page_cache.content_version()
    with CaptureQueriesContext(connection) as captured:
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():
                EventFactory(title="Abandoned release")
                raise RuntimeError("the editor's form was invalid")
            EventFactory(title="Saved release")

    assert version_writes(captured) == 1
    assert page_cache.content_version() != before
    assert list(Event.objects.values_list("title", flat=True)) == ["Saved release"]


def test_a_transaction_rolled_back_whole_leaves_the_content_version_alone():
    before = page_cache.content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        EventFactory(title="Never saved")
        raise RuntimeError("rolled back")

    assert page_cache.content_version() == before
