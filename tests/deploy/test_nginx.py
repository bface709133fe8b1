"""The shipped nginx site (deploy/nginx/cso_press.conf) run for real over HTTPS in front of the application: public
media go out with headers that keep a browser from running them, a release's files only through the application's
check, nothing private is reachable by its storage path; plain HTTP moves to HTTPS, pages are compressed, an upload
over the limit and a missing application get nginx's own pages. ``make prod-check`` runs the whole stack."""

import io
import os
import signal
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.urls import reverse

from events.services import releases
from scripts.prod_check import (
    BROTLI_MODULE,
    NGINX,
    SITE,
    CheckFailed,
    PinnedHost,
    free_port,
    local_site,
    make_certificates,
    start_nginx,
)
from tests.factories import EventFactory, PersonFactory, PhotoFactory, UserFactory, make_jpeg_bytes

HOST = "press.test"
SANDBOX = "default-src 'none'; sandbox"
HASHED_CSS = "site.0123456789ab.css"

pytestmark = pytest.mark.django_db(transaction=True)


class Site:
    """The site as a browser at https://press.test/ reaches it: requests to nginx on loopback, sent as to that name."""

    def __init__(self, https_port: int, http_port: int, ca: Path, flag: Path):
        self.base = f"https://127.0.0.1:{https_port}"
        self.plain = f"http://127.0.0.1:{http_port}"
        self.flag = flag
        self.session = requests.Session()
        self.session.verify = str(ca)
        self.session.trust_env = False
        self.session.mount(self.base, PinnedHost(HOST))

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base + path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)


def nginx_for(tmp_path, settings, upstream: str, cache: str | None = None):
    """nginx on free ports with the shipped site, its paths pointed at this test's folders and ``upstream``
    (gunicorn's place; readers' pages go to ``cache``, the shared cache's, when given, else there too)."""
    missing = [str(path) for path in (Path(NGINX), BROTLI_MODULE) if not path.exists()]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install -y nginx libnginx-mod-http-brotli-filter"
        if os.environ.get("CSO_REQUIRE_BROWSER") == "1":  # CI: every system tool it installs must be used
            pytest.fail(message)
        pytest.skip(message)
    settings.CSO_MEDIA_ACCEL_PREFIX = "/_protected_media/"
    settings.ALLOWED_HOSTS = [HOST, "localhost", "127.0.0.1"]  # the site, and the live server asked directly
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / HASHED_CSS).write_text("body { color: #111; }\n" * 40)
    (static / "css" / "site.css").write_text("body { color: #111; }\n" * 40)
    tls = tmp_path / "tls"
    tls.mkdir()
    ca, certificate, key = make_certificates(tls, HOST)
    https_port, http_port = free_port(), free_port()
    site = local_site(
        SITE.read_text(),
        host=HOST,
        http_port=http_port,
        https_port=https_port,
        certificate=certificate,
        key=key,
        acme=tmp_path / "acme",
        static=static,
        media=media,
        pages=SITE.parent,
        flag=tmp_path / "maintenance.on",
        upstream=upstream,
        cache=cache,
    )
    try:
        process = start_nginx(tmp_path / "nginx", site, https_port)
    except CheckFailed as failure:
        pytest.fail(str(failure))
    return process, Site(https_port, http_port, ca, tmp_path / "maintenance.on")


def stop_nginx(process) -> None:
    os.killpg(process.pid, signal.SIGQUIT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    process, site = nginx_for(tmp_path, settings, urlsplit(live_server.url).netloc)
    try:
        yield site
    finally:
        stop_nginx(process)


@pytest.fixture
def nginx_without_app(settings, tmp_path):
    """The site with nothing listening where gunicorn should be."""
    process, site = nginx_for(tmp_path, settings, f"127.0.0.1:{free_port()}")
    try:
        yield site
    finally:
        stop_nginx(process)


def original_address(photo) -> str:
    return reverse("media-file", kwargs={"pk": photo.pk, "variant": "file", "name": Path(photo.file.name).name})


def test_a_public_release_photo_comes_from_nginx_after_the_application_checked_it(nginx, settings):
    event = EventFactory(slug="summit")
    photo = PhotoFactory(event=event)
    page = nginx.get(event.get_absolute_url(), timeout=10)
    assert page.status_code == 200
    assert f'"/files/{photo.pk}/' in page.text

    answer = nginx.get(original_address(photo), timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == SANDBOX
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    assert "X-Accel-Redirect" not in answer.headers
    assert answer.content == (Path(settings.MEDIA_ROOT) / photo.file.name).read_bytes()


def test_a_withdrawn_release_photo_and_every_storage_path_answer_404_through_nginx(nginx, settings):
    event = EventFactory(slug="summit")
    photo = PhotoFactory(event=event)
    original = original_address(photo)
    assert nginx.get(original, timeout=10).status_code == 200

    releases.event_withdraw(event=event, user=UserFactory(is_staff=True, is_superuser=True), reason="Wrong date")

    assert nginx.get(original, timeout=10).status_code == 404
    assert photo.file.name.startswith("private/")
    for path in [f"/media/{photo.file.name}", f"/_protected_media/{photo.file.name}", "/_protected_media/"]:
        assert nginx.get(path, timeout=10).status_code == 404, path


def test_portraits_are_public_with_safe_headers_and_markup_there_is_only_bytes(nginx, settings):
    person = PersonFactory(slug="ivanov")
    person.photo.save("portrait.jpg", ContentFile(make_jpeg_bytes(80, 100)), save=True)
    planted = Path(settings.MEDIA_ROOT) / "people" / "planted.html"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("<script>alert(1)</script>")

    portrait = nginx.get(f"/media/{person.photo.name}", timeout=10)
    markup = nginx.get("/media/people/planted.html", timeout=10)

    assert portrait.status_code == 200
    assert portrait.headers["Content-Type"] == "image/jpeg"
    assert portrait.headers["X-Content-Type-Options"] == "nosniff"
    assert portrait.headers["Content-Security-Policy"] == SANDBOX
    assert markup.status_code == 200
    assert markup.headers["Content-Type"] == "application/octet-stream"
    assert markup.headers["Content-Security-Policy"] == SANDBOX


def test_hashed_static_files_are_kept_for_a_year_and_plain_names_for_an_hour(nginx):
    hashed = nginx.get(f"/static/css/{HASHED_CSS}", timeout=10)
    plain = nginx.get("/static/css/site.css", timeout=10)

    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "public, max-age=3600"


def test_a_prepared_press_kit_goes_out_through_nginx_and_a_changed_caption_makes_a_new_one(
    nginx, live_server, settings
):
    # Tasks run in-process in the tests: each commit below builds the kit before the next line runs.
    event = EventFactory(slug="summit")
    photos = [PhotoFactory(event=event, caption=f"Photo {n}") for n in range(2)]
    kits = Path(settings.MEDIA_ROOT) / "private" / "kits" / str(event.pk)
    [kit] = kits.iterdir()
    address = reverse("events:photos-zip", kwargs={"slug": "summit"})

    from_app = requests.get(live_server.url + address, timeout=10, allow_redirects=False)
    answer = nginx.get(address, timeout=30)

    assert from_app.headers["X-Accel-Redirect"] == f"/_protected_media/private/kits/{event.pk}/{kit.name}"
    assert from_app.content == b""
    assert answer.status_code == 200
    assert "X-Accel-Redirect" not in answer.headers
    assert answer.headers["Content-Type"] == "application/zip"
    assert answer.headers["Content-Disposition"].endswith('-summit-photos.zip"')
    assert answer.headers["Content-Length"] == str(kit.stat().st_size)
    assert answer.headers["Cache-Control"] == "no-cache"
    assert answer.content == kit.read_bytes()
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert archive.testzip() is None
        assert len(archive.namelist()) == 3

    # An interrupted download resumes where it stopped.
    tail = nginx.get(address, headers={"Range": "bytes=100-"}, timeout=30)
    assert tail.status_code == 206
    assert tail.content == kit.read_bytes()[100:]

    photos[0].caption = "A better caption"
    photos[0].save()

    [new_kit] = kits.iterdir()
    assert new_kit.name != kit.name
    with zipfile.ZipFile(io.BytesIO(nginx.get(address, timeout=30).content)) as archive:
        captions = archive.read(archive.namelist()[0]).decode("utf-8")
    assert "Caption: A better caption" in captions


def test_a_private_release_kit_is_refused_through_nginx(nginx, settings):
    event = EventFactory(slug="draft-summit", draft=True)
    PhotoFactory(event=event)
    [kit] = (Path(settings.MEDIA_ROOT) / "private" / "kits" / str(event.pk)).iterdir()
    stored = kit.relative_to(settings.MEDIA_ROOT).as_posix()

    assert nginx.get(reverse("events:photos-zip", kwargs={"slug": "draft-summit"}), timeout=10).status_code == 404
    for path in [f"/media/{stored}", f"/_protected_media/{stored}"]:
        assert nginx.get(path, timeout=10).status_code == 404, path


def test_plain_http_moves_to_https_except_the_certificate_challenge(nginx, tmp_path):
    challenge = tmp_path / "acme" / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True)
    (challenge / "token-1").write_text("token-1.thumbprint")

    moved = requests.get(nginx.plain + "/en/events/?page=2", headers={"Host": HOST}, allow_redirects=False, timeout=10)
    renewal = requests.get(nginx.plain + "/.well-known/acme-challenge/token-1", headers={"Host": HOST}, timeout=10)

    assert moved.status_code == 301
    assert moved.headers["Location"] == f"https://{HOST}/en/events/?page=2"
    assert renewal.status_code == 200
    assert renewal.text == "token-1.thumbprint"


def test_an_unknown_host_name_never_reaches_the_application(nginx):
    with pytest.raises(requests.ConnectionError):  # nginx closes the connection (444)
        requests.get(nginx.plain + "/en/", headers={"Host": "203.0.113.7"}, timeout=10)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_feeds_and_styles_come_compressed_when_asked(nginx, encoding):
    EventFactory(slug="summit")
    for path in ["/en/", reverse("events:feed-rss"), reverse("events:ics"), f"/static/css/{HASHED_CSS}"]:
        plain = nginx.get(path, headers={"Accept-Encoding": "identity"})
        answer = nginx.get(path, headers={"Accept-Encoding": encoding}, stream=True)
        compressed = answer.raw.read(decode_content=False)

        assert answer.status_code == 200, path
        assert answer.headers.get("Content-Encoding") == encoding, path
        assert "Accept-Encoding" in answer.headers["Vary"], path
        assert "Content-Encoding" not in plain.headers, path
        assert 0 < len(compressed) < len(plain.content), path


def test_security_headers_of_the_application_reach_the_reader_unchanged(nginx):
    page = nginx.get("/en/")

    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Server"] == "nginx"


def test_an_upload_over_the_limit_gets_a_clear_413_page_or_json_for_the_upload_script(nginx):
    body = b"\0" * (42 * 1024 * 1024)
    path = "/admin/events/event/1/photos/upload/"

    page = nginx.request("POST", path, data=body)
    script = nginx.request("POST", path, data=body, headers={"Accept": "application/json"})

    assert page.status_code == 413
    assert "The upload is too large" in page.text
    assert "40 MB" in page.text
    assert script.status_code == 413
    assert script.json()["files"] == []
    assert "40 MB" in script.json()["errors"][0]


def test_the_maintenance_flag_puts_the_site_behind_the_maintenance_page(nginx):
    assert nginx.get("/en/").status_code == 200
    nginx.flag.touch()

    page = nginx.get("/en/")
    form = nginx.request("POST", "/en/search/", data={"q": "x"})

    assert page.status_code == 503
    assert "The site will be back in a few minutes" in page.text
    assert "Сайт вернётся через несколько минут" in page.text
    assert page.headers["Retry-After"] == "300"
    assert page.headers["Cache-Control"] == "no-store"
    assert form.status_code == 503
    assert "The site will be back in a few minutes" in form.text

    nginx.flag.unlink()
    assert nginx.get("/en/").status_code == 200


def test_with_the_application_down_readers_get_the_maintenance_page(nginx_without_app):
    page = nginx_without_app.get("/en/")

    assert page.status_code == 503
    assert "The site will be back in a few minutes" in page.text
    assert page.headers["Retry-After"] == "300"
