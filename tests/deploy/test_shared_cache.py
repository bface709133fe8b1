"""The shared cache of the production recipe (deploy/varnish/cso_press.vcl) in front of the real application: varnishd
started by scripts/varnish_front.py before the live server, the page cache on, the purge task run in process and
sent to that varnishd. What a reader notices: a page kept after its first reader, a publication or a withdrawal
visible on the next request while unrelated pages stay kept, a scheduled release public at its minute, signed-in
editors, the admin and embargo links never served a kept copy. ``make prod-check`` runs it behind nginx too."""

import http.server
import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from celery.exceptions import Retry
from django.urls import reverse
from django.utils import timezone

from cso_press.accounts.auth_backends import client_ip
from events import tasks
from events.cache_invalidation import purge_shared_caches
from events.embargo import embargo_token
from events.models import Event
from events.services import embargo_links, releases
from scripts import varnish_front
from scripts.prod_check import free_port
from tests.deploy.test_nginx import nginx_for, stop_nginx
from tests.factories import EventFactory, PhotoFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

MAINTENANCE_MARKER = "The site will be back in a few minutes"


def require_varnish() -> None:
    if varnish_front.available():
        return
    message = f"{varnish_front.VARNISHD} is missing: apt-get install -y varnish"
    if os.environ.get("CSO_REQUIRE_SERVICES") == "1":  # CI installs it: a skipped test would hide a failure
        pytest.fail(message)
    pytest.skip(message)


class Reader:
    """Requests to varnishd as nginx sends them (Host, X-Forwarded-For/Proto), without cookies of its own."""

    def __init__(self, front: varnish_front.Front):
        self.front = front

    def get(self, path: str, **kwargs) -> requests.Response:
        headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", **kwargs.pop("headers", {})}
        return requests.get(self.front.url + path, headers=headers, timeout=30, allow_redirects=False, **kwargs)

    def kept(self, path: str) -> requests.Response:
        """Asked twice: the second answer must come from the cache."""
        first = self.get(path)
        second = self.get(path)
        assert first.status_code == 200, (path, first.status_code)
        assert second.headers["X-Cache"] == "HIT", (path, first.headers["X-Cache"], second.headers["X-Cache"])
        return second


@pytest.fixture
def front(live_server, page_cache, settings):
    """varnishd with the recipe's VCL in front of the live server; the application purges it."""
    require_varnish()
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "press.test"]
    with varnish_front.running(backend_port=urlsplit(live_server.url).port) as running:
        settings.CSO_CACHE_PURGE_URLS = [running.purge_url]
        yield running


@pytest.fixture
def reader(front):
    return Reader(front)


@pytest.fixture
def editor(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_a_public_release_page_is_fetched_once_then_served_from_the_cache(reader, front):
    event = EventFactory(title="Summit communique")
    before = front.counters()

    first = reader.get(event.get_absolute_url())
    second = reader.get(event.get_absolute_url())

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert "Summit communique" in second.text
    assert second.text == first.text
    # What a CDN in front would read is still there.
    assert f"release:{event.pk}" in second.headers["Surrogate-Key"].split(" ")
    assert f"release:{event.pk}" in second.headers["Cache-Tag"].split(",")
    assert front.counters()["backend_requests"] - before["backend_requests"] == 1


def test_a_kept_page_answers_with_the_request_id_of_each_reader(reader, settings):
    settings.CSO_TRUSTED_PROXY_COUNT = 1  # varnishd and nginx on loopback, as DJANGO_TRUSTED_PROXY_* say
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    event = EventFactory(title="Summit communique")
    first_id, second_id = "a" * 32, "b" * 32

    first = reader.get(event.get_absolute_url(), headers={"X-Request-ID": first_id})
    second = reader.get(event.get_absolute_url(), headers={"X-Request-ID": second_id})
    without = reader.get(event.get_absolute_url())

    assert (first.headers["X-Cache"], first.headers["X-Request-ID"]) == ("MISS", first_id)
    assert (second.headers["X-Cache"], second.headers["X-Request-ID"]) == ("HIT", second_id)
    assert without.headers["X-Cache"] == "HIT"
    assert "X-Request-ID" not in without.headers


class HeaderRecorder(http.server.BaseHTTPRequestHandler):
    """A backend that keeps the headers of each request it gets and answers a page nobody keeps."""

    seen: list = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_gunicorn_gets_the_readers_address_as_nginx_wrote_it(settings, rf):
    require_varnish()
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    recorder = type("Recorder", (HeaderRecorder,), {"seen": []})
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), recorder)
    thread = threading.Thread(target=backend.serve_forever, daemon=True)
    thread.start()
    try:
        with varnish_front.running(backend_port=backend.server_address[1]) as running:
            # nginx overwrites the header with the reader's address; varnishd appends nginx's, then drops it.
            requests.get(running.url + "/en/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=30)
    finally:
        backend.shutdown()
        backend.server_close()
        thread.join(timeout=10)

    [headers] = recorder.seen
    assert headers["X-Forwarded-For"] == "203.0.113.9"
    # What the application then takes as the client's address (it trusts exactly one proxy).
    request = rf.get("/en/", HTTP_X_FORWARDED_FOR=headers["X-Forwarded-For"], REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "203.0.113.9"


def test_a_publication_shows_on_its_section_and_home_at_once_while_an_unrelated_release_stays_kept(
    reader, front, editor
):
    section, elsewhere = SectionFactory(name="Foreign affairs"), SectionFactory(name="Economy")
    EventFactory(title="Earlier statement", section=section)
    unrelated = EventFactory(title="Trade figures", section=elsewhere)
    coming = EventFactory(title="Ministers sign the treaty", section=section, in_review=True)
    pages = [reverse("events:section", kwargs={"slug": section.slug}), reverse("events:home")]
    for path in [*pages, unrelated.get_absolute_url()]:
        assert "Ministers sign the treaty" not in reader.kept(path).text
    bans = front.counters()["bans"]

    releases.event_publish(event=coming, user=editor)  # its purge task runs in process, after the commit

    assert front.counters()["bans"] == bans + 1
    for path in pages:
        answer = reader.get(path)
        assert answer.headers["X-Cache"] == "MISS", path
        assert "Ministers sign the treaty" in answer.text, path
    assert reader.get(coming.get_absolute_url()).status_code == 200
    assert reader.get(unrelated.get_absolute_url()).headers["X-Cache"] == "HIT"


def test_a_withdrawn_release_loses_its_kept_page_at_once(reader, editor):
    out = timezone.now() - timedelta(hours=1)
    event = EventFactory(title="Wrong figures", slug="wrong-figures", publish_at=out, first_published_at=out)
    never_out = EventFactory(title="Premature", slug="premature")  # no first publication: no notice page either
    assert "The figures were wrong" not in reader.kept(event.get_absolute_url()).text
    reader.kept(never_out.get_absolute_url())
    home = reader.kept(reverse("events:home"))
    assert "Wrong figures" in home.text

    releases.event_withdraw(event=event, user=editor, reason="The figures were wrong")

    releases.event_withdraw(event=never_out, user=editor, reason="Sent too early")

    page = reader.get(event.get_absolute_url())
    assert page.status_code == 200  # the page stays, with the public reason (events.services.releases)
    assert page.headers["X-Cache"] == "MISS"
    assert "The figures were wrong" in page.text
    assert reader.get(never_out.get_absolute_url()).status_code == 404
    assert "Wrong figures" not in reader.get(reverse("events:home")).text


def test_an_edit_to_a_draft_purges_nothing(reader, front, editor):
    section = SectionFactory()
    public = EventFactory(title="Public release", section=section)
    draft = EventFactory(title="Draft", section=section, draft=True)
    reader.kept(public.get_absolute_url())
    reader.kept(reverse("events:home"))
    bans = front.counters()["bans"]

    draft.title = "Draft, again"
    releases.event_save(event=draft, user=editor)

    assert front.counters()["bans"] == bans
    assert reader.get(public.get_absolute_url()).headers["X-Cache"] == "HIT"
    assert reader.get(reverse("events:home")).headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("query", ["?utm_source=newsletter", "?utm_campaign=june&fbclid=abc", "?gclid=1"])
def test_a_tracking_parameter_is_served_the_same_kept_copy(reader, query):
    event = EventFactory(title="Summit communique")
    kept = reader.kept(event.get_absolute_url())

    tagged = reader.get(event.get_absolute_url() + query)

    assert tagged.headers["X-Cache"] == "HIT"
    assert tagged.text == kept.text


@pytest.mark.parametrize("cookie", ["sessionid=abc123", "__Host-sessionid=abc123", "csrftoken=x; sessionid=abc123"])
def test_a_signed_in_editor_is_never_served_a_kept_copy(reader, front, cookie):
    event = EventFactory(title="Summit communique")
    reader.kept(event.get_absolute_url())
    before = front.counters()["backend_requests"]

    answer = reader.get(event.get_absolute_url(), headers={"Cookie": cookie})

    assert answer.headers["X-Cache"] == "PASS"
    assert front.counters()["backend_requests"] == before + 1


def test_an_anonymous_readers_other_cookies_do_not_split_the_cache(reader):
    event = EventFactory(title="Summit communique")
    reader.kept(event.get_absolute_url())

    for cookie in ["csrftoken=x", "_ga=GA1.2.3", "django_language=ru; csrftoken=x"]:
        assert reader.get(event.get_absolute_url(), headers={"Cookie": cookie}).headers["X-Cache"] == "HIT", cookie


def test_the_address_without_a_language_still_follows_the_readers_language_choice(reader):
    chosen = reader.get("/", headers={"Cookie": "csrftoken=x; django_language=ru; _ga=1", "Accept-Language": "en"})
    browser = reader.get("/", headers={"Accept-Language": "ru"})
    default = reader.get("/", headers={"Accept-Language": "en"})

    assert (chosen.status_code, chosen.headers["Location"]) == (302, "/ru/")
    assert (browser.status_code, browser.headers["Location"]) == (302, "/ru/")
    assert (default.status_code, default.headers["Location"]) == (302, "/en/")


def test_the_admin_and_an_embargo_link_are_never_kept(reader, editor):
    embargoed = EventFactory(title="Budget under embargo", scheduled=True)
    link = embargo_links.embargo_link_create(
        event=embargoed, user=editor, expires_at=timezone.now() + timedelta(hours=6), label="Agency"
    )
    paths = [reverse("admin:login"), reverse("events:embargo", kwargs={"token": embargo_token(link)})]
    for path in paths:
        answers = [reader.get(path) for _ in range(3)]
        assert answers[0].status_code == 200, path
        assert [answer.headers["X-Cache"] for answer in answers] == ["PASS"] * 3, path
        assert "Surrogate-Key" not in answers[0].headers, path
    assert "Budget under embargo" in reader.get(paths[1]).text


def test_a_purge_with_a_malformed_tag_is_refused_and_the_task_would_try_again(front):
    assert varnish_front.purge(front, ["release:1"]) == 200
    assert varnish_front.purge(front, ["release:1|.*"]) == 400
    assert varnish_front.purge(front, ["(release)"]) == 400
    assert varnish_front.purge(front, ["   "]) == 400  # would match every page
    assert varnish_front.purge(front, []) == 400

    # The application's purge sees the refusal as an error, which its task retries (autoretry_for OSError).
    with pytest.raises(HTTPError) as refused:
        purge_shared_caches(["release:1", "a|b"])
    assert refused.value.code == 400
    assert isinstance(refused.value, tasks.RETRY_OPTIONS["autoretry_for"])


def test_the_purge_task_tries_again_when_the_cache_refuses_the_connection(settings, front):
    settings.CSO_CACHE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]  # nothing listens there
    bans = front.counters()["bans"]

    # In process, the retry Celery would schedule (with its backoff) comes back as the exception that says so.
    with pytest.raises(Retry) as retried:
        tasks.purge_tags.apply(args=[["release:1"]], throw=True)

    assert isinstance(retried.value.exc, URLError)
    assert isinstance(retried.value.exc.reason, ConnectionRefusedError)
    assert 0 <= retried.value.when <= tasks.RETRY_OPTIONS["retry_backoff"]  # with jitter
    settings.CSO_CACHE_PURGE_URLS = [front.purge_url]
    assert tasks.purge_tags.apply(args=[["release:1"]], throw=True).get() == {"tags": 1, "addresses": 1}
    assert front.counters()["bans"] == bans + 1


def test_a_kept_page_is_not_served_past_the_minute_of_a_scheduled_release(reader):
    """varnishd keeps time with the real clock: the release is scheduled a few seconds ahead, the pages are kept
    while it is hidden, then asked for until it shows (with a deadline): never before its time, and at once after."""
    due = timezone.now() + timedelta(seconds=6)
    scheduled = EventFactory(title="Scheduled statement", publish_at=due)
    paths = [reverse("events:home"), reverse("events:list"), reverse("events:section", args=[scheduled.section.slug])]
    for path in paths:
        kept = reader.kept(path)
        assert "Scheduled statement" not in kept.text, path
        control = dict(part.strip().partition("=")[::2] for part in kept.headers["Cache-Control"].split(","))
        assert int(control["s-maxage"]) <= 6, path
        assert "stale-while-revalidate" not in control, path

    shown_at: dict[str, float] = {}
    deadline = time.monotonic() + 30
    while len(shown_at) < len(paths) and time.monotonic() < deadline:
        for path in paths:
            if path in shown_at:
                continue
            asked = timezone.now()
            answer = reader.get(path)
            if "Scheduled statement" in answer.text:
                shown_at[path] = (timezone.now() - due).total_seconds()
            else:
                # Still hidden: only to a request sent before its time (the clocks read here and by the
                # application differ by the moment a request takes to arrive).
                assert (asked - due).total_seconds() < 0.2, (path, answer.headers["X-Cache"])
        time.sleep(0.05)

    assert sorted(shown_at) == sorted(paths)
    # Never shown by an answer finished before its time.
    assert all(late >= 0 for late in shown_at.values()), shown_at
    assert reader.get(scheduled.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(("due_in", "stale_allowed"), [(310, False), (329, False), (331, True), (3600, True)])
def test_a_cdn_is_never_allowed_to_serve_a_page_stale_past_a_publication(
    client, page_cache, settings, due_in, stale_allowed
):
    """What a CDN in front reads: a page lives 300 s and may then be served stale 30 s more
    (``stale-while-revalidate``) unless a publication comes before those 330 s are over."""
    settings.CSO_SHARED_CACHE_STALE_SECONDS = 30
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        EventFactory(title="Out already")
        EventFactory(title="Coming", publish_at=now + timedelta(seconds=due_in))
        control = client.get(reverse("events:home"))["Cache-Control"]

    assert f"s-maxage={min(due_in, 300)}" in control
    assert ("stale-while-revalidate=30" in control) is stale_allowed


def test_without_gunicorn_readers_get_the_maintenance_page_from_the_cache(settings, page_cache):
    require_varnish()
    with varnish_front.running(backend_port=free_port()) as dead:
        answer = requests.get(dead.url + "/en/", timeout=30)

    assert answer.status_code == 503
    assert MAINTENANCE_MARKER in answer.text
    assert answer.headers["Retry-After"] == "300"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


# --- Behind nginx: the recipe's chain ---------------------------------------------------------------------------


@pytest.fixture
def site(front, live_server, settings, tmp_path):
    """nginx (the shipped site) -> varnishd -> the live server."""
    process, site = nginx_for(tmp_path, settings, urlsplit(live_server.url).netloc, cache=f"127.0.0.1:{front.port}")
    try:
        yield site
    finally:
        stop_nginx(process)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_behind_nginx_a_kept_page_still_comes_compressed(site, encoding):
    EventFactory(title="Summit communique")
    site.get("/en/")

    answer = site.get("/en/", headers={"Accept-Encoding": encoding}, stream=True)
    compressed = answer.raw.read(decode_content=False)
    plain = site.get("/en/", headers={"Accept-Encoding": "identity"})

    assert answer.headers["X-Cache"] == "HIT"
    assert answer.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in answer.headers["Vary"]
    assert plain.headers["X-Cache"] == "HIT"
    assert 0 < len(compressed) < len(plain.content)
    assert "Summit communique" in plain.text


def test_behind_nginx_and_the_cache_a_public_photo_still_comes_from_nginx(site, settings):
    event = EventFactory(slug="summit")
    photo = PhotoFactory(event=event)
    address = reverse("media-file", kwargs={"pk": photo.pk, "variant": "file", "name": Path(photo.file.name).name})
    stored = (Path(settings.MEDIA_ROOT) / photo.file.name).read_bytes()

    answers = [site.get(address) for _ in range(2)]

    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert "X-Accel-Redirect" not in answer.headers
        assert answer.content == stored


def test_behind_nginx_forms_and_signed_in_editors_go_straight_to_the_application(site, front):
    EventFactory(title="Summit communique")
    before = front.counters()["requests"]

    editor = site.get("/en/", headers={"Cookie": "sessionid=abc123"})
    form = site.request("POST", "/en/search/", data={"q": "x"})

    assert editor.status_code == 200
    assert "X-Cache" not in editor.headers
    assert "X-Cache" not in form.headers
    assert front.counters()["requests"] == before


def test_with_varnish_down_readers_get_the_maintenance_page_and_editors_keep_working(live_server, settings, tmp_path):
    process, site = nginx_for(tmp_path, settings, urlsplit(live_server.url).netloc, cache=f"127.0.0.1:{free_port()}")
    try:
        page = site.get("/en/")
        editor = site.get("/en/", headers={"Cookie": "sessionid=abc123"})
    finally:
        stop_nginx(process)

    assert page.status_code == 503
    assert MAINTENANCE_MARKER in page.text
    assert page.headers["Retry-After"] == "300"
    assert editor.status_code == 200


def test_behind_nginx_without_gunicorn_readers_get_the_maintenance_page(settings, tmp_path):
    require_varnish()
    with varnish_front.running(backend_port=free_port()) as dead:
        process, site = nginx_for(tmp_path, settings, f"127.0.0.1:{free_port()}", cache=f"127.0.0.1:{dead.port}")
        try:
            page = site.get("/en/")
        finally:
            stop_nginx(process)

    assert page.status_code == 503
    assert MAINTENANCE_MARKER in page.text
    assert page.headers["Retry-After"] == "300"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_an_uncacheable_answer_is_not_kept_and_a_404_becomes_a_page_once_published(reader, editor):
    coming = EventFactory(title="Not yet", slug="not-yet", in_review=True)
    path = reverse("events:detail", kwargs={"slug": "not-yet"})
    assert [reader.get(path).status_code for _ in range(2)] == [404, 404]

    releases.event_publish(event=coming, user=editor)

    assert reader.get(path).status_code == 200
    assert reader.get(path).headers["X-Cache"] == "HIT"
    assert Event.objects.get(pk=coming.pk).status == Event.Status.PUBLISHED
