"""The shipped nginx site (deploy/nginx/cso_press.conf) run for real in front of the application: public media
go out with headers that keep a browser from running them, a release's files only through the application's
check, and nothing private is reachable by its storage path."""

import io
import os
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.urls import reverse

from events.services import releases
from tests.factories import EventFactory, PersonFactory, PhotoFactory, UserFactory, make_jpeg_bytes

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "cso_press.conf"
SANDBOX = "default-src 'none'; sandbox"

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    """nginx on a free port with the shipped site, its paths pointed at this test's folders and server."""
    if not os.path.exists(NGINX):
        message = "nginx is not installed: apt-get install -y nginx"
        if os.environ.get("CSO_REQUIRE_BROWSER") == "1":  # CI: every system tool it installs must be used
            pytest.fail(message)
        pytest.skip(message)
    settings.CSO_MEDIA_ACCEL_PREFIX = "/_protected_media/"
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    static = tmp_path / "static"
    static.mkdir()
    (static / "site.abc123.css").write_text("body{}")
    port = free_port()
    upstream = urlsplit(live_server.url).netloc
    site = SITE.read_text()
    for old, new in [
        ("/srv/cso_press/staticfiles/", f"{static}/"),
        ("/srv/cso_press/media/", f"{media}/"),
        ("127.0.0.1:8001", upstream),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
    ]:
        assert old in site, old
        site = site.replace(old, new)
    run = tmp_path / "nginx"
    run.mkdir()
    (run / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    (run / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {run}/nginx.pid;\nerror_log {run}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        f" client_body_temp_path {run}/body;\n proxy_temp_path {run}/proxy;\n fastcgi_temp_path {run}/fastcgi;\n"
        f" uwsgi_temp_path {run}/uwsgi;\n scgi_temp_path {run}/scgi;\n include {run}/site.conf;\n}}\n"
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(run), "-c", str(run / "nginx.conf")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
    process = subprocess.Popen([NGINX, "-p", str(run), "-c", str(run / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:  # until it listens (polled against a deadline, not a guessed delay)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.02)
        yield base
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def original_address(photo) -> str:
    return reverse("media-file", kwargs={"pk": photo.pk, "variant": "file", "name": Path(photo.file.name).name})


def test_a_public_release_photo_comes_from_nginx_after_the_application_checked_it(nginx, settings):
    event = EventFactory(slug="summit")
    photo = PhotoFactory(event=event)
    page = requests.get(f"{nginx}{event.get_absolute_url()}", timeout=10)
    assert page.status_code == 200
    assert f'"/files/{photo.pk}/' in page.text

    answer = requests.get(nginx + original_address(photo), timeout=10)

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
    assert requests.get(nginx + original, timeout=10).status_code == 200

    releases.event_withdraw(event=event, user=UserFactory(is_staff=True, is_superuser=True), reason="Wrong date")

    assert requests.get(nginx + original, timeout=10).status_code == 404
    assert photo.file.name.startswith("private/")
    for path in [f"/media/{photo.file.name}", f"/_protected_media/{photo.file.name}", "/_protected_media/"]:
        assert requests.get(nginx + path, timeout=10).status_code == 404, path


def test_portraits_are_public_with_safe_headers_and_markup_there_is_only_bytes(nginx, settings):
    person = PersonFactory(slug="ivanov")
    person.photo.save("portrait.jpg", ContentFile(make_jpeg_bytes(80, 100)), save=True)
    planted = Path(settings.MEDIA_ROOT) / "people" / "planted.html"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("<script>alert(1)</script>")

    portrait = requests.get(f"{nginx}/media/{person.photo.name}", timeout=10)
    markup = requests.get(f"{nginx}/media/people/planted.html", timeout=10)

    assert portrait.status_code == 200
    assert portrait.headers["Content-Type"] == "image/jpeg"
    assert portrait.headers["X-Content-Type-Options"] == "nosniff"
    assert portrait.headers["Content-Security-Policy"] == SANDBOX
    assert markup.status_code == 200
    assert markup.headers["Content-Type"] == "application/octet-stream"
    assert markup.headers["Content-Security-Policy"] == SANDBOX


def test_hashed_static_files_are_kept_for_a_year(nginx):
    answer = requests.get(f"{nginx}/static/site.abc123.css", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


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
    answer = requests.get(nginx + address, timeout=30)

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
    tail = requests.get(nginx + address, headers={"Range": "bytes=100-"}, timeout=30)
    assert tail.status_code == 206
    assert tail.content == kit.read_bytes()[100:]

    photos[0].caption = "A better caption"
    photos[0].save()

    [new_kit] = kits.iterdir()
    assert new_kit.name != kit.name
    with zipfile.ZipFile(io.BytesIO(requests.get(nginx + address, timeout=30).content)) as archive:
        captions = archive.read(archive.namelist()[0]).decode("utf-8")
    assert "Caption: A better caption" in captions


def test_a_private_release_kit_is_refused_through_nginx(nginx, settings):
    event = EventFactory(slug="draft-summit", draft=True)
    PhotoFactory(event=event)
    [kit] = (Path(settings.MEDIA_ROOT) / "private" / "kits" / str(event.pk)).iterdir()
    stored = kit.relative_to(settings.MEDIA_ROOT).as_posix()

    assert (
        requests.get(nginx + reverse("events:photos-zip", kwargs={"slug": "draft-summit"}), timeout=10).status_code
        == 404
    )
    for path in [f"/media/{stored}", f"/_protected_media/{stored}"]:
        assert requests.get(nginx + path, timeout=10).status_code == 404, path
