"""What a shared cache in front reads: Cache-Control with s-maxage never past the next scheduled publication,
the pages' cache tags, tracking parameters left out of the key, and the purge sent after a change."""

import http.server
import io
import threading
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError

import pytest
import time_machine
from celery import current_app
from django.core.management import call_command
from django.urls import reverse
from kombu.exceptions import OperationalError

from events.cache_invalidation import PURGE_TASK, purge_shared_caches
from events.models import Event
from events.services import releases
from tests.factories import EventFactory, PersonFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def control(response) -> dict[str, str]:
    parts = [part.strip() for part in response["Cache-Control"].split(",")]
    return dict(part.partition("=")[::2] for part in parts)


@time_machine.travel(NOW, tick=False)
def test_a_public_page_may_be_kept_by_a_shared_cache_with_its_tags(client, page_cache):
    event = EventFactory(title="Summit communique")
    for answer in ("miss", "hit"):
        response = client.get(event.get_absolute_url())
        assert response["X-Page-Cache"] == answer
        directives = control(response)
        assert "public" in directives
        assert directives["s-maxage"] == "300"
        assert directives["max-age"] == "60"
        assert directives["stale-while-revalidate"] == "30"
        keys = response["Surrogate-Key"].split(" ")
        assert {f"release:{event.pk}", f"section:{event.section_id}", "language:en", "site"} <= set(keys)
        assert response["Cache-Tag"].split(",") == keys


def test_s_maxage_never_reaches_past_a_release_scheduled_in_90_seconds(client, page_cache):
    with time_machine.travel(NOW, tick=False):
        EventFactory(title="Already out")
        scheduled = EventFactory(title="Coming soon", publish_at=NOW + timedelta(seconds=90))
        urls = [reverse("events:home"), reverse("events:list"), reverse("events:feed-rss"), reverse("events:ics")]
        for url in urls:
            directives = control(client.get(url))
            assert int(directives["s-maxage"]) <= 90, url
            assert int(directives["max-age"]) <= 60, url
            # The new page is due at that second: no serving the old one while fetching it.
            assert "stale-while-revalidate" not in directives, url
    with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
        for url in urls:
            response = client.get(url)
            assert response["X-Page-Cache"] == "hit", url
            assert int(control(response)["s-maxage"]) <= 30, url
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        assert "Coming soon" in client.get(reverse("events:home")).content.decode()
    assert scheduled.pk


def test_s_maxage_ends_at_local_midnight_where_today_matters(client, page_cache, settings):
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(datetime(2026, 6, 10, 23, 58, 20, tzinfo=UTC), tick=False):
        EventFactory(title="Late statement")
        directives = control(client.get(reverse("events:calendar")))
    assert int(directives["s-maxage"]) <= 100
    assert "stale-while-revalidate" not in directives


def test_private_and_staff_answers_carry_no_shared_cache_headers(client, page_cache):
    EventFactory(title="Some release")
    response = client.get("/en/embargo/not-a-token/")
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert "Surrogate-Key" not in response
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("events:list"))
    assert "s-maxage" not in response.get("Cache-Control", "")
    assert "Surrogate-Key" not in response
    assert response.wsgi_request.cso_page_cache == "bypass"


def test_the_request_says_whether_the_cache_answered(client, page_cache):
    url = EventFactory(title="Counted release").get_absolute_url()
    assert client.get(url).wsgi_request.cso_page_cache == "miss"
    assert client.get(url).wsgi_request.cso_page_cache == "hit"


TRACKING = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "fbclid", "gclid")
TRACKING += ("dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "ref", "twclid")


@pytest.mark.parametrize("parameter", TRACKING)
def test_a_tracking_parameter_is_left_out_of_the_cache_key(client, page_cache, parameter):
    event = EventFactory(title="Shared on social media")
    for url in (event.get_absolute_url(), reverse("events:list"), reverse("events:home")):
        assert client.get(url)["X-Page-Cache"] == "miss"
        tagged = client.get(url, {parameter: "spring-newsletter"})
        assert tagged["X-Page-Cache"] == "hit", url
        assert "spring-newsletter" not in tagged.content.decode()


# --- The purge hook ---------------------------------------------------------------------------------------------


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    status = 200
    received: list

    def do_PURGE(self):  # noqa: N802 - the method's name is the HTTP verb
        self.received.append((self.command, self.path, self.headers.get("Surrogate-Key", "")))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server():
    """A tiny HTTP server on a free port recording the purges it receives."""
    handler = type("Recorder", (PurgeRecorder,), {"received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_a_committed_change_purges_its_tags_at_every_purge_address(settings, page_cache, purge_server):
    server, handler = purge_server
    port = server.server_address[1]
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{port}/one", f"http://127.0.0.1:{port}/two"]
    person = PersonFactory(name="Spokesperson")
    handler.received.clear()
    person.name = "New spokesperson"
    person.save()
    assert sorted(handler.received) == [
        ("PURGE", "/one", f"list:people person:{person.pk}"),
        ("PURGE", "/two", f"list:people person:{person.pk}"),
    ]


def test_a_draft_edit_purges_nothing(settings, page_cache, purge_server):
    server, handler = purge_server
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    draft = EventFactory(title="Draft", status=Event.Status.DRAFT, section=SectionFactory())
    handler.received.clear()
    draft.title = "Draft, again"
    releases.event_save(event=draft, user=UserFactory(is_superuser=True))
    assert handler.received == []


def test_a_purge_address_that_fails_raises_for_the_task_to_retry(settings, purge_server):
    server, handler = purge_server
    handler.status = 503
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    with pytest.raises(HTTPError):
        purge_shared_caches(["release:1"])


def test_a_purge_address_that_never_answers_gives_up_after_the_timeout(settings):
    listener = http.server.socketserver.TCPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    try:
        # Accepted by the kernel, never read: the request waits for an answer that does not come.
        settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{listener.server_address[1]}/"]
        settings.CSO_CACHE_PURGE_TIMEOUT = 1
        with pytest.raises(OSError, match="timed out"):
            purge_shared_caches(["release:1"])
    finally:
        listener.server_close()


@pytest.fixture
def queued(monkeypatch) -> list:
    """The tag lists the purge task is sent, instead of the broker."""
    current_app.loader.import_default_modules()
    sent: list = []
    monkeypatch.setattr(current_app.tasks[PURGE_TASK], "delay", sent.append)
    return sent


def test_the_process_that_commits_purges_the_caches_in_front_without_a_worker(
    settings, page_cache, purge_server, queued
):
    """A queued purge waited behind the e-mail and photo tasks a publication also sends (the publish storm saw
    up to 3 s before readers of the cache saw a release); and with the broker down it was never sent, so the
    cache kept a withdrawn release until its s-maxage."""
    server, handler = purge_server
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    event = EventFactory(title="Summit communique")
    handler.received.clear()
    releases.event_withdraw(event=event, user=UserFactory(is_superuser=True), reason="Wrong date")
    [(method, _path, tags)] = handler.received
    assert method == "PURGE"
    assert f"release:{event.pk}" in tags.split(" ")
    assert queued == []


def test_a_cache_that_refuses_the_purge_is_left_to_the_task(settings, page_cache, purge_server, queued):
    server, handler = purge_server
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    event = EventFactory(title="Summit communique")
    handler.status = 503
    releases.event_withdraw(event=event, user=UserFactory(is_superuser=True), reason="Wrong date")
    [tags] = queued
    assert f"release:{event.pk}" in tags


def test_with_the_cache_and_the_broker_down_the_change_still_stands(settings, page_cache, monkeypatch):
    asked = []

    def broker_down(tags):
        asked.append(tags)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    listener = http.server.socketserver.TCPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    address = f"http://127.0.0.1:{listener.server_address[1]}/"
    listener.server_close()  # nothing listens there any more: the connection is refused
    event = EventFactory(title="Summit communique")
    current_app.loader.import_default_modules()
    monkeypatch.setattr(current_app.tasks[PURGE_TASK], "delay", broker_down)
    settings.CSO_CACHE_PURGE_URLS = [address]
    releases.event_withdraw(event=event, user=UserFactory(is_superuser=True), reason="Wrong date")
    event.refresh_from_db()
    assert event.status == Event.Status.WITHDRAWN
    # The cache refused the connection, so the task was asked for (and could not be queued).
    [tags] = asked
    assert f"release:{event.pk}" in tags


def test_renew_caches_makes_every_page_again_and_purges_everything_in_front(client, settings, page_cache, purge_server):
    server, handler = purge_server
    event = EventFactory(title="Summit communique")
    assert client.get(event.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(event.get_absolute_url())["X-Page-Cache"] == "hit"
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_address[1]}/"]
    handler.received.clear()
    out = io.StringIO()
    call_command("renew_caches", stdout=out)
    assert handler.received == [("PURGE", "/", "all")]
    assert client.get(event.get_absolute_url())["X-Page-Cache"] == "miss"
    assert "made again" in out.getvalue()
