"""The several app servers drill's own helpers (scripts/multi_server_drill.py), checked cheaply: the drill itself
starts PostgreSQL, Redis, moto, two gunicorns and two workers, and runs in CI (`make drill-servers`)."""

import io
import json
import os
import signal
import socket
import subprocess
from contextlib import redirect_stdout

import pytest
from django.contrib.auth import get_user_model

from events.models import Event, SiteIdentity
from scripts import multi_server_drill as drill


def test_the_free_port_picker_gives_a_port_that_can_be_listened_on():
    port = drill.free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as server:
        server.bind((drill.HOST, port))  # nothing holds it any more
        server.listen()


def test_waiting_returns_the_first_true_value_and_gives_up_at_its_deadline():
    answers = iter([None, 0, "ready"])
    assert drill.wait_for(lambda: next(answers), 5, "the third answer", every=0) == "ready"
    with pytest.raises(drill.DrillFailure, match="gave up after 0 s waiting for never"):
        drill.wait_for(lambda: False, 0, "never", every=0)


def test_a_page_shows_text_as_a_reader_sees_it():
    body = "<li><a href='/en/events/x/'>Drill release &amp; summit &#x27;24</a></li>"
    assert drill.page_shows(body, "Drill release & summit '24")
    assert not drill.page_shows(body, "Drill release 2")


def test_file_links_are_read_from_src_and_every_srcset_candidate():
    body = (
        '<picture><source type="image/webp" srcset="/files/7/medium-webp/a.webp 800w, /files/7/large-webp/a.webp '
        '1600w"><img src="/files/7/medium/a.jpg?x=1&amp;y=2" alt=""></picture>'
        '<img src="/static/logo.svg" alt=""><a href="/files/8/original/b.jpg">download</a>'
    )
    assert drill.file_links(body) == [
        "/files/7/medium-webp/a.webp",
        "/files/7/large-webp/a.webp",
        "/files/7/medium/a.jpg?x=1&y=2",
    ]


def test_the_orphan_count_is_read_from_find_orphan_files():
    assert drill.orphan_count("Found 0 orphaned file(s).\n") == 0
    assert drill.orphan_count("private/x.jpg\nFound 2 orphaned file(s). Run again with --delete to remove them.") == 2
    with pytest.raises(ValueError, match="no count"):
        drill.orphan_count("Traceback (most recent call last):")


def test_only_the_sites_own_503_page_counts_as_the_outage_page():
    assert drill.is_outage_page(503, "<h1>Service temporarily unavailable</h1>")
    assert not drill.is_outage_page(502, "<h1>502 Bad Gateway</h1><hr><center>nginx</center>")
    assert not drill.is_outage_page(503, "<h1>Service Unavailable</h1>")  # not the site's page
    assert not drill.is_outage_page(200, "Service temporarily unavailable")
    assert not drill.is_outage_page(503, "Service temporarily unavailable Traceback (most recent call last)")


def test_image_bytes_are_recognised_by_their_signature():
    assert drill.image_kind(b"\xff\xd8\xff\xe0" + b"0" * 20) == "jpeg"
    assert drill.image_kind(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"
    assert drill.image_kind(b"\x89PNG\r\n\x1a\n" + b"0" * 8) == "png"
    assert drill.image_kind(b"<?xml version='1.0'?><Error>AccessDenied</Error>") == ""


def test_the_worker_log_tells_which_worker_finished_a_task():
    log = (
        "[2026-12-06 10:09:56,238: INFO/MainProcess] Task media.render_photo[afe4150b-cf09] received\n"
        "[2026-12-06 10:09:57,001: INFO/MainProcess] Task media.build_press_kit[11111111-2222] received\n"
        "[2026-12-06 10:10:09,538: INFO/ForkPoolWorker-1] Task media.render_photo[afe4150b-cf09] succeeded in "
        "3.43s: 'ready'\n"
    )
    render = [("afe4150b-cf09", "received"), ("afe4150b-cf09", "succeeded")]
    assert drill.task_events(log, "media.render_photo") == render
    assert drill.task_events(log, "media.build_press_kit") == [("11111111-2222", "received")]


def test_the_summary_table_has_a_row_per_check_with_its_result():
    table = drill.summary_table(
        [drill.Result("1 publish", True, "138 ms"), drill.Result("5 PostgreSQL stopped", False, "A answered 200")]
    ).splitlines()
    assert table[0].split() == ["check", "result", "figures"]
    assert table[2].split("  ")[0] == "1 publish" and "PASS" in table[2] and table[2].endswith("138 ms")
    assert "FAIL" in table[3] and table[3].endswith("A answered 200")


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a killed one waiting to be reaped is not)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: PTH123, SIM115
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_stopping_a_service_ends_everything_it_started(tmp_path):
    # A shell that started a child of its own: the drill's gunicorn and Celery workers have children too.
    service = drill.Drill(work=tmp_path).spawn("sleeper", ["sh", "-c", "sleep 300 & echo $!; wait"], env=os.environ)
    child = int(drill.wait_for(lambda: service.log.read_text().strip(), 30, "the shell to start its child", every=0.01))
    assert alive(child)
    service.kill()
    assert not service.running()
    drill.wait_for(lambda: not alive(child), 10, "the child to end with its parent", every=0.01)
    service.stop()  # stopping again is harmless


def test_a_service_that_ignores_sigterm_is_killed(tmp_path):
    service = drill.Drill(work=tmp_path).spawn(
        "stubborn", ["sh", "-c", "trap '' TERM; echo started; while :; do sleep 1; done"], env=os.environ
    )
    drill.wait_for(lambda: "started" in service.log.read_text(), 30, "the shell to start", every=0.01)
    service.stop(signal.SIGTERM, seconds=1)
    assert service.process.returncode == -signal.SIGKILL


@pytest.mark.django_db
def test_the_set_up_makes_a_published_release_and_one_waiting_for_an_editor():
    output = io.StringIO()
    names = {"EDITOR": drill.EDITOR, "AUTHOR": drill.AUTHOR, "ADMIN": drill.ADMIN, "TOKEN": "t0k3n"}
    with redirect_stdout(output):
        exec(drill.PREPARE, names)  # noqa: S102 - the drill's own set-up code, run in the test database
    facts = json.loads(output.getvalue().strip().splitlines()[-1])
    assert Event.objects.get(pk=facts["photo_release"]).status == Event.Status.PUBLISHED
    waiting = Event.objects.get(pk=facts["release"])
    assert waiting.status == Event.Status.IN_REVIEW and waiting.title == "Drill release t0k3n"
    assert facts["urls"]["publish"].endswith(f"/{waiting.pk}/transition/publish/")
    assert facts["urls"]["release"] == "/en/events/drill-release/"
    # Check 1b publishes and withdraws another release and watches a page of another section stay kept.
    shared = Event.objects.get(slug="drill-shared-cache")
    assert shared.status == Event.Status.IN_REVIEW
    assert facts["urls"]["publish_shared"].endswith(f"/{shared.pk}/transition/publish/")
    elsewhere = Event.objects.get(slug="drill-elsewhere")
    assert elsewhere.status == Event.Status.PUBLISHED and elsewhere.section_id != shared.section_id
    assert facts["urls"]["elsewhere"] == "/en/events/drill-elsewhere/"
    # Check 4 renames the office through the admin as the drill's superuser.
    assert facts["urls"]["identity"].endswith("/events/siteidentity/1/change/")
    assert SiteIdentity.objects.get().name_en == "Drill Office"
    assert get_user_model().objects.get(username=drill.ADMIN[0]).is_superuser


def test_the_database_outage_drill_chooses_its_ports_at_run_time():
    script = (drill.ROOT / "scripts" / "db_outage_check.sh").read_text()
    assert "55432" not in script and "58123" not in script
    picker = next(line for line in script.splitlines() if line.startswith("free_port() "))
    found = subprocess.run(
        ["bash", "-c", f"PY={drill.PY}\n{picker}\nfree_port"], capture_output=True, text=True, check=True
    )
    assert 1024 <= int(found.stdout) <= 65535
