#!/usr/bin/env python3
"""Several app servers drill (issue 18, item 3): two gunicorns and two Celery workers on one PostgreSQL, Redis
and S3-compatible store, every one of them private to this run.

Started in a temporary folder, each on a port chosen at run time and stopped by its own pid at the end (also
on failure or Ctrl-C): a PostgreSQL cluster (initdb + pg_ctl, as the ``postgres`` user when run as root), a
redis-server (page cache and broker), moto's S3 server, app servers A and B (deploy/gunicorn/gunicorn.conf.py,
2 workers each, ``cso_press.settings.bench``: production settings on plain HTTP) and workers W1 and W2
(queues default,media,mail) with ``DJANGO_STORAGE=s3``. Then, each printed PASS/FAIL with its figures:

1. pages cached on B; a publish through A's admin (HTTP, as an editor) is on B's next answer; a withdrawal
   through A's admin takes it off B's lists at once and B's page of it shows the withdrawal notice;
1b. a shared cache in front of each app server (varnishd with the recipe's deploy/varnish/cso_press.vcl, both in
   DJANGO_CACHE_PURGE_URLS): pages kept by both (X-Cache: HIT); a publish and a withdrawal through A's admin
   reach the readers of both caches (purged by A right after the commit), while a page not showing the release
   stays kept;
2. a photo uploaded through A's admin upload endpoint is processed by a worker and its rendition's bytes are
   fetched through B (the page's /files/ address, its redirect to the bucket);
3. the worker rendering a large photo (its database transaction holds the photo's row lock: that is how the
   drill knows it is running) is killed with SIGKILL; once Redis may hand the task out again (visibility
   timeout, read from Redis) the worker is started again, as systemd would, and a worker finishes the photo;
   nothing half-written stays in the bucket (no orphan, no unfinished multipart upload);
4. Redis stopped (it saves a snapshot, as a production Redis does): A and B keep answering pages with their
   content while a release is published again through A's admin (the purge cannot be queued: the app server
   purges both shared caches itself, and their readers see the release); started again from its snapshot: the
   page cache fills again (keys in Redis), a repeated request is a hit, and both list the release; 4b: the office
   renamed through A's admin during the outage is the name both show afterwards, directly and through the caches;
5. PostgreSQL stopped: A and B answer the site's 503 page; started again: both recover without a restart.

Nothing waits a guessed time: every wait polls a condition with a deadline. Usage: ``make drill-servers``
(exit code 0 = every check passed). ``--keep`` leaves the temporary folder (logs) in place.
"""

from __future__ import annotations

import argparse
import atexit
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import boto3
import psycopg
import redis
import requests
from botocore.config import Config
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import varnish_front  # noqa: E402 - a sibling script, the one way to run the recipe's shared cache

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
HOST = "127.0.0.1"
BUCKET = "cso-drill"
QUEUES = "default,media,mail"
# Redis hands a task whose worker died to another one after this many seconds (the production default is an
# hour). Every task of the drill finishes well within it.
VISIBILITY_TIMEOUT = 8
OUTAGE_TEXT = "Service temporarily unavailable"
EDITOR = ("drill-editor", "drill-" + secrets.token_hex(12))
AUTHOR = ("drill-author", "drill-" + secrets.token_hex(12))
ADMIN = ("drill-admin", "drill-" + secrets.token_hex(12))


class DrillFailure(Exception):
    """A check that did not hold; its message says what was seen."""


# --------------------------------------------------------------------------------------------------- helpers


def free_port(host: str = HOST) -> int:
    """A port nothing listens on right now, chosen by the system (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], seconds: float, what: str, *, every: float = 0.05):
    """Poll ``condition`` until it returns something true; that value, or DrillFailure after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DrillFailure(f"gave up after {seconds:.0f} s waiting for {what}")
        time.sleep(every)


def page_shows(body: str, text: str) -> bool:
    """Whether ``text`` is in the page as a reader sees it (entities such as &amp; or &#x27; decoded)."""
    return text in html.unescape(body)


def file_links(body: str) -> list[str]:
    """The /files/ addresses a page's images point to (``src`` and every ``srcset`` candidate), in order."""
    found = []
    for attribute in re.findall(r'\s(?:src|srcset)="([^"]+)"', body):
        for candidate in html.unescape(attribute).split(","):
            address = candidate.strip().split(" ")[0]
            if address.startswith("/files/") and address not in found:
                found.append(address)
    return found


def orphan_count(command_output: str) -> int:
    """The number ``manage.py find_orphan_files`` reports ("Found N orphaned file(s).")."""
    match = re.search(r"Found (\d+) orphaned file", command_output)
    if not match:
        raise ValueError(f"no count in find_orphan_files output: {command_output[-300:]!r}")
    return int(match.group(1))


def is_outage_page(status: int, body: str) -> bool:
    """The site's own 503 page (its text, no traceback), not a proxy's or gunicorn's error page."""
    return status == 503 and OUTAGE_TEXT in body and "Traceback" not in body


def image_kind(data: bytes) -> str:
    """ "jpeg", "webp", "png" from the first bytes, "" for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    return ""


@dataclass
class Result:
    check: str
    passed: bool
    figures: str


def summary_table(results: list[Result]) -> str:
    """The results as a plain-text table, one row per check."""
    width = max([len("check"), *(len(result.check) for result in results)])
    lines = [f"{'check':<{width}}  result  figures", f"{'-' * width}  ------  -------"]
    lines += [f"{r.check:<{width}}  {'PASS' if r.passed else 'FAIL':<6}  {r.figures}" for r in results]
    return "\n".join(lines)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# ---------------------------------------------------------------------------------------------- processes


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, seconds: float = 15) -> None:
        """``sig`` to the process and everything it started (its own process group), SIGKILL if it lingers."""
        if not self.running():
            return
        try:
            os.killpg(self.pid, sig)
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=seconds)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the process and its children: no clean-up of any kind."""
        self.stop(signal.SIGKILL)

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Drill:
    work: Path
    keep: bool = False
    env: dict = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    pg_bin: Path = Path()
    pg_port: int = 0
    redis_port: int = 0
    web: dict[str, str] = field(default_factory=dict)  # server name -> base address
    fronts: dict[str, varnish_front.Front] = field(default_factory=dict)  # server name -> its shared cache
    stack: ExitStack = field(default_factory=ExitStack)
    facts: dict = field(default_factory=dict)  # ids and addresses the set-up made
    _pg_running: bool = False

    # --- PostgreSQL ----------------------------------------------------------------------------------------

    @property
    def pg_data(self) -> Path:
        return self.work / "pg" / "data"

    def as_postgres(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        # initdb and postgres refuse to run as root.
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)

    def pg_ctl(self, *args: str) -> None:
        log = self.work / "pg" / "postgres.log"
        self.as_postgres([str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-l", str(log), "-w", *args])

    def start_postgres(self) -> None:
        options = f"-p {self.pg_port} -k {self.work / 'pg'} -c listen_addresses={HOST} -c max_connections=60"
        self.pg_ctl("start", "-o", options)
        self._pg_running = True

    def stop_postgres(self) -> None:
        self.pg_ctl("stop", "-m", "fast")
        self._pg_running = False

    def pg_server_pid(self) -> int | None:
        try:
            return int((self.pg_data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def setup_postgres(self) -> None:
        initdb = shutil.which("initdb") or sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1]
        self.pg_bin = Path(initdb).parent
        (self.work / "pg").mkdir()
        if os.getuid() == 0:
            shutil.chown(self.work / "pg", "postgres")
        self.as_postgres([str(self.pg_bin / "initdb"), "-D", str(self.pg_data), "-A", "trust", "-U", "postgres"])
        self.pg_port = free_port()
        self.start_postgres()

    def database_url(self, application: str) -> str:
        # The application name shows in pg_stat_activity which process holds a transaction open.
        return f"postgres://postgres@{HOST}:{self.pg_port}/postgres?application_name={application}"

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:

        with psycopg.connect(f"postgresql://postgres@{HOST}:{self.pg_port}/postgres", autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    # --- Redis and the bucket ------------------------------------------------------------------------------

    def start_redis(self) -> None:
        folder = self.work / "redis"
        folder.mkdir(exist_ok=True)
        command = [
            # Snapshots, as a production Redis keeps them (queued tasks survive a restart): it saves when stopped
            # and comes back with what it held then, cache entries included.
            "redis-server", "--bind", HOST, "--port", str(self.redis_port), "--save", "3600 1", "--appendonly", "no",
            "--dir", str(folder), "--dbfilename", "dump.rdb",
        ]  # fmt: skip
        self.spawn("redis", command)
        wait_for(lambda: self.redis_answers(), 15, "redis-server to answer")

    def redis(self):

        return redis.Redis(host=HOST, port=self.redis_port, socket_connect_timeout=1, socket_timeout=2)

    def redis_answers(self) -> bool:
        try:
            return bool(self.redis().ping())
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def start_moto(self) -> str:
        port = free_port()
        self.spawn("moto", [str(ROOT / ".venv/bin/moto_server"), "-H", HOST, "-p", str(port)])
        endpoint = f"http://{HOST}:{port}"
        wait_for(lambda: http_status(endpoint + "/") == 200, 30, "the S3 server to answer")
        self.s3(endpoint).create_bucket(Bucket=BUCKET)
        return endpoint

    def s3(self, endpoint: str | None = None):

        return boto3.client(
            "s3",
            endpoint_url=endpoint or self.env["AWS_S3_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id="drill-access-key",
            aws_secret_access_key="drill-secret-key",
            config=Config(s3={"addressing_style": "path"}),
        )

    # --- the application -----------------------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], env: dict | None = None) -> Service:
        log = self.work / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with everything it started
            )
        service = Service(name, process, log)
        self.services[name] = service
        return service

    def manage(self, *args: str) -> str:
        done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise DrillFailure(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def django(self, code: str, **names) -> dict:
        """Run ``code`` in the project's Django on the drill's database and return the JSON it prints last."""
        prelude = "import django\ndjango.setup()\n" + "".join(f"{key} = {value!r}\n" for key, value in names.items())
        done = subprocess.run(
            [PY, "-c", prelude + code], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise DrillFailure(f"Django code failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_web(self, name: str, port: int) -> None:
        env = {
            **self.env,
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_WORKERS": "2",
            "DATABASE_URL": self.database_url(f"drill-web-{name}"),
        }
        self.spawn(f"web-{name}", [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn/gunicorn.conf.py"], env)
        self.web[name] = f"http://{HOST}:{port}"

    def start_worker(self, name: str) -> Service:
        env = {**self.env, "DATABASE_URL": self.database_url(f"drill-worker-{name}")}
        command = [
            PY, "-m", "celery", "-A", "cso_press", "worker", "--loglevel", "INFO", "--queues", QUEUES,
            "--concurrency", "1", "--hostname", f"drill-{name}@%h", "--without-mingle", "--without-gossip",
        ]  # fmt: skip
        service = self.spawn(f"worker-{name}", command, env)
        wait_for(
            lambda: "ready." in service.log.read_text(errors="replace") or not service.running(),
            60,
            f"worker {name} to start",
            every=0.1,
        )
        if not service.running():
            raise DrillFailure(f"worker {name} exited:\n{service.tail()}")
        return service

    # --- clean-up ------------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
        self.stack.close()  # the shared caches
        if self._pg_running or self.pg_server_pid():
            try:
                self.pg_ctl("stop", "-m", "immediate")
            except subprocess.CalledProcessError:
                pass
            self._pg_running = False
        if not self.keep:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            print(f"logs kept in {self.work}")

    # --- results -------------------------------------------------------------------------------------------

    def record(self, check: str, passed: bool, figures: str) -> None:
        self.results.append(Result(check, passed, figures))
        print(f"{'PASS' if passed else 'FAIL'}  {check}: {figures}", flush=True)

    def run_check(self, check: str, function: Callable[[], str]) -> None:
        try:
            figures = function()
        except Exception as failure:  # noqa: BLE001 - any failure of a check is its FAIL; the next checks still run
            message = str(failure) if isinstance(failure, DrillFailure) else f"{type(failure).__name__}: {failure}"
            self.record(check, False, message)
            for service in self.services.values():
                if service.name.startswith(("web", "worker")) and "Traceback" in service.tail(40):
                    print(f"--- {service.name} log\n{service.tail(40)}", file=sys.stderr)
        else:
            self.record(check, True, figures)


def http_status(url: str) -> int:

    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


# ------------------------------------------------------------------------------------------------- set-up

PREPARE = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from events.models import Event, Section, SiteIdentity
from events.models.identity import ROW_ID
from events.permissions import ROLE_AUTHOR, ROLE_EDITOR
from events.services import releases

User = get_user_model()
editor = User.objects.create_user(EDITOR[0], "editor@example.org", EDITOR[1], is_staff=True)
editor.groups.add(Group.objects.get(name=ROLE_EDITOR))
author = User.objects.create_user(AUTHOR[0], "author@example.org", AUTHOR[1], is_staff=True)
author.groups.add(Group.objects.get(name=ROLE_AUTHOR))
User.objects.create_superuser(ADMIN[0], "admin@example.org", ADMIN[1])
SiteIdentity.objects.update_or_create(pk=ROW_ID, defaults={"name_en": "Drill Office"})
section = Section.objects.create(name="Drill news", slug="drill-news")
now = timezone.now()

def submitted(title, slug):
    event = Event.objects.create(
        title=title, slug=slug, starts_at=now, section=section, lead="Written for the several-servers drill."
    )
    return releases.event_submit(event=event, user=author, note="")

photos = releases.event_publish(event=submitted("Drill photo release " + TOKEN, "drill-photos"), user=editor)
waiting = submitted("Drill release " + TOKEN, "drill-release")
shared = submitted("Drill shared-cache release " + TOKEN, "drill-shared-cache")
# A page that does not show the drill's releases (another section): it stays in the shared caches.
other = Section.objects.create(name="Drill elsewhere", slug="drill-elsewhere")
elsewhere = Event.objects.create(
    title="Drill release elsewhere " + TOKEN, slug="drill-elsewhere", starts_at=now, section=other, lead="Elsewhere."
)
elsewhere = releases.event_publish(event=releases.event_submit(event=elsewhere, user=author, note=""), user=editor)
with translation.override("en"):
    urls = {
        "login": reverse("admin:login"),
        "publish": reverse("admin:events_event_transition", args=[waiting.pk, "publish"]),
        "withdraw": reverse("admin:events_event_transition", args=[waiting.pk, "withdraw"]),
        "republish": reverse("admin:events_event_transition", args=[waiting.pk, "republish"]),
        "publish_shared": reverse("admin:events_event_transition", args=[shared.pk, "publish"]),
        "withdraw_shared": reverse("admin:events_event_transition", args=[shared.pk, "withdraw"]),
        "release_shared": reverse("events:detail", args=[shared.slug]),
        "elsewhere": reverse("events:detail", args=[elsewhere.slug]),
        "identity": reverse("admin:events_siteidentity_change", args=[ROW_ID]),
        "upload": reverse("admin:events_event_upload_photos", args=[photos.pk]),
        "home": reverse("events:home"),
        "list": reverse("events:list"),
        "section": reverse("events:section", args=[section.slug]),
        "release": reverse("events:detail", args=[waiting.slug]),
        "photo_release": reverse("events:detail", args=[photos.slug]),
    }
print(json.dumps({"urls": urls, "release": waiting.pk, "photo_release": photos.pk}))
"""

PHOTO_STATE = """
import json
from django.core.files.storage import default_storage
from events.media.stored import stored_names
from events.models import Attachment

photo = Attachment.objects.get(pk=PHOTO)
names = sorted(stored_names(photo)) if photo.state == "ready" else []
missing = [name for name in names if not default_storage.exists(name) or not default_storage.size(name)]
print(json.dumps({"state": photo.state, "error": photo.processing_error, "files": names, "missing": missing}))
"""


def make_big_png(path: Path, size: tuple[int, int] = (6000, 4000)) -> None:
    """A large photo whose rendering takes a while (a PNG is decoded whole), yet small enough to upload."""

    small = Image.merge("RGB", [Image.effect_noise((size[0] // 40, size[1] // 40), 60 + 20 * n) for n in range(3)])
    small.resize(size, Image.Resampling.BICUBIC).save(path, format="PNG", compress_level=1)


def make_small_jpeg(path: Path) -> None:

    Image.new("RGB", (1600, 1200), (40, 90, 160)).save(path, format="JPEG", quality=85)


def base_env(work: Path) -> dict:
    env = dict(os.environ)
    for name in ("CACHE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_STORAGE", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="cso_press.settings.bench",
        DJANGO_SECRET_KEY="drill-only-" + secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        DJANGO_MEDIA_ROOT=str(work / "media"),
        DJANGO_STATIC_ROOT=str(work / "static"),
        # Kept connections are the hard case for a database restart: each worker holds one that dies with it.
        DJANGO_DB_CONN_MAX_AGE="60",
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        DJANGO_CACHE_PREFIX="cso-drill",
        GUNICORN_ACCESS_LOG="",
        GUNICORN_LOG_LEVEL="warning",
    )
    return env


def set_up(drill: Drill) -> None:
    started = time.monotonic()
    drill.setup_postgres()
    drill.redis_port = free_port()
    drill.start_redis()
    endpoint = drill.start_moto()
    drill.env.update(
        DATABASE_URL=drill.database_url("drill-setup"),
        REDIS_URL=f"redis://{HOST}:{drill.redis_port}/0",
        DJANGO_STORAGE="s3",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="drill-access-key",
        AWS_SECRET_ACCESS_KEY="drill-secret-key",
    )
    drill.manage("migrate", "--noinput", "-v", "0")
    drill.manage("collectstatic", "--noinput", "-v", "0")
    # Other releases, so that lists have rows to read from the database.
    drill.manage("generate_events", "--count", "30", "--years", "1")
    token = secrets.token_hex(4)
    drill.facts = drill.django(PREPARE, EDITOR=EDITOR, AUTHOR=AUTHOR, ADMIN=ADMIN, TOKEN=token)
    drill.facts["title"] = f"Drill release {token}"
    drill.facts["shared_title"] = f"Drill shared-cache release {token}"
    ports = {name: free_port() for name in ("A", "B")}
    if varnish_front.available():
        for name, port in ports.items():
            log = (drill.work / f"varnish-{name}.log").open("ab")
            drill.stack.callback(log.close)
            drill.fronts[name] = drill.stack.enter_context(varnish_front.running(port, memory="64m", log=log))
        # Every app server purges every shared cache (docs/deploy.md, several app servers).
        drill.env["DJANGO_CACHE_PURGE_URLS"] = ",".join(front.purge_url for front in drill.fronts.values())
    for name, port in ports.items():
        drill.start_web(name, port)
    for name in ("W1", "W2"):
        drill.start_worker(name)
    for name, base in drill.web.items():
        wait_for(lambda base=base: http_status(base + "/healthz") == 200, 60, f"app server {name} to answer")
    fronts = ", ".join(f"cache {name} {front.url}" for name, front in drill.fronts.items()) or "no varnishd"
    print(
        f"set up in {time.monotonic() - started:.1f} s: PostgreSQL :{drill.pg_port}, Redis :{drill.redis_port}, "
        f"S3 {endpoint}, A {drill.web['A']}, B {drill.web['B']}, {fronts}, workers W1 W2 (work folder {drill.work})",
        flush=True,
    )


# ------------------------------------------------------------------------------------------------ the web


class Reader:
    """An anonymous reader (no cookies kept): what the page cache serves."""

    def __init__(self) -> None:

        self.requests = requests

    def get(self, url: str, **kwargs):
        try:
            return self.requests.get(url, timeout=10, allow_redirects=False, **kwargs)
        except self.requests.RequestException as error:
            raise DrillFailure(f"GET {url}: {error}") from error


def signed_in(base: str, login_path: str, user: tuple[str, str] = EDITOR):
    """A requests session signed in as ``user`` (the drill's editor) on ``base`` (the admin's login form)."""

    session = requests.Session()
    page = session.get(base + login_path, timeout=30)
    response = session.post(
        base + login_path,
        data={"csrfmiddlewaretoken": csrf_token(page.text), "username": user[0], "password": user[1]},
        headers={"Referer": base + login_path},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise DrillFailure(f"{user[0]} could not sign in on {base} (HTTP {response.status_code})")
    return session


def csrf_token(body: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match:
        raise DrillFailure("no CSRF token on the page")
    return match.group(1)


def admin_post(session, base: str, path: str, data: dict) -> None:
    """Open the admin form at ``path`` and send it, as the editor's browser would; it must redirect (done)."""
    page = session.get(base + path, timeout=30)
    if page.status_code != 200:
        raise DrillFailure(f"GET {path} on {base}: HTTP {page.status_code}")
    response = session.post(
        base + path,
        data={"csrfmiddlewaretoken": csrf_token(page.text), **data},
        headers={"Referer": base + path},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise DrillFailure(f"POST {path} on {base}: HTTP {response.status_code}, not a redirect")


# ------------------------------------------------------------------------------------------------ checks


def check_publish_and_withdraw(drill: Drill) -> str:
    urls, title = drill.facts["urls"], drill.facts["title"]
    reader, a, b = Reader(), drill.web["A"], drill.web["B"]
    lists = ["home", "list", "section"]
    for name in lists:
        for _ in range(2):
            response = reader.get(b + urls[name])
            if response.status_code != 200:
                raise DrillFailure(f"B {urls[name]}: HTTP {response.status_code}")
        if response.headers.get("X-Page-Cache") != "hit":
            raise DrillFailure(f"B {urls[name]} is not answered from the page cache on the second request")
        if page_shows(response.text, title):
            raise DrillFailure(f"B {urls[name]} shows the release before it is published")
    if reader.get(b + urls["release"]).status_code != 404:
        raise DrillFailure("the unpublished release's page on B is not a 404")

    editor = signed_in(a, urls["login"])
    started = time.monotonic()
    admin_post(editor, a, urls["publish"], {})
    published = time.monotonic()
    for name in [*lists, "release"]:
        response = reader.get(b + urls[name])
        if response.status_code != 200 or not page_shows(response.text, title):
            raise DrillFailure(f"B {urls[name]} right after the publish on A: HTTP {response.status_code}, no title")
    seen = time.monotonic()

    reason = f"Withdrawn by the drill {secrets.token_hex(3)}"
    for name in [*lists, "release"]:  # the published state in B's cache
        reader.get(b + urls[name])
    asked = time.monotonic()
    admin_post(editor, a, urls["withdraw"], {"note": reason})
    withdrawn = time.monotonic()
    for name in lists:
        response = reader.get(b + urls[name])
        if response.status_code != 200 or page_shows(response.text, title):
            raise DrillFailure(f"B {urls[name]} right after the withdrawal on A still lists the release")
    response = reader.get(b + urls["release"])
    if response.status_code != 200 or not page_shows(response.text, reason):
        raise DrillFailure(f"B's page of the withdrawn release: HTTP {response.status_code}, no withdrawal notice")
    gone = time.monotonic()
    return (
        f"publish on A (admin over HTTP) {ms(published - started)}, on B's next answers (4 pages) "
        f"{ms(seen - published)}; withdraw on A {ms(withdrawn - asked)}, gone from B's lists and notice on its page "
        f"{ms(gone - withdrawn)}"
    )


def check_shared_caches(drill: Drill) -> str:
    """A shared cache in front of each app server: kept pages, purged by A right after a change there."""
    if not drill.fronts:
        raise DrillFailure("varnishd is not installed (Debian package varnish): no shared cache to check")
    urls, title, reader = drill.facts["urls"], drill.facts["shared_title"], Reader()
    fronts = {name: front.url for name, front in drill.fronts.items()}
    lists = ["home", "list", "section"]
    for name, base in fronts.items():
        for page in [*lists, "elsewhere"]:
            reader.get(base + urls[page])
            response = reader.get(base + urls[page])
            if response.status_code != 200 or response.headers.get("X-Cache") != "HIT":
                raise DrillFailure(f"cache {name} {urls[page]}: HTTP {response.status_code}, not kept")
            if page_shows(response.text, title):
                raise DrillFailure(f"cache {name} {urls[page]} shows the release before it is published")
        if reader.get(base + urls["release_shared"]).status_code != 404:
            raise DrillFailure(f"the unpublished release's page through cache {name} is not a 404")

    def everywhere(shown: Callable[[object], bool], pages: list[str]) -> Callable[[], bool]:
        return lambda: all(shown(reader.get(base + urls[page])) for base in fronts.values() for page in pages)

    editor = signed_in(drill.web["A"], urls["login"])
    admin_post(editor, drill.web["A"], urls["publish_shared"], {})
    published = time.monotonic()
    shows = everywhere(lambda r: r.status_code == 200 and page_shows(r.text, title), [*lists, "release_shared"])
    wait_for(shows, 10, "the release published on A to show through both shared caches", every=0.02)
    seen = time.monotonic() - published
    for name, base in fronts.items():
        response = reader.get(base + urls["elsewhere"])
        if response.headers.get("X-Cache") != "HIT":
            raise DrillFailure(f"cache {name} dropped {urls['elsewhere']}, a page that does not show the release")
    reason = f"Withdrawn by the drill {secrets.token_hex(3)}"
    admin_post(editor, drill.web["A"], urls["withdraw_shared"], {"note": reason})
    withdrawn = time.monotonic()
    gone = everywhere(lambda r: r.status_code == 200 and not page_shows(r.text, title), lists)
    wait_for(gone, 10, "the withdrawn release to leave the lists of both shared caches", every=0.02)
    notice = everywhere(lambda r: r.status_code == 200 and page_shows(r.text, reason), ["release_shared"])
    wait_for(notice, 10, "the withdrawal notice through both shared caches", every=0.02)
    removed = time.monotonic() - withdrawn
    counters = {name: front.counters() for name, front in drill.fronts.items()}
    bans = ", ".join(f"{name} {figures.get('bans', 0)}" for name, figures in counters.items())
    return (
        f"4 pages kept by both caches; publish on A shown through both after {ms(seen)}, withdrawal after "
        f"{ms(removed)}; a release page of another section stayed kept; bans added: {bans}"
    )


def upload(session, base: str, path: str, photo: Path) -> int:
    page = session.get(base + path, timeout=30)
    with photo.open("rb") as handle:
        response = session.post(
            base + path,
            data={"csrfmiddlewaretoken": csrf_token(page.text)},
            files={"files": (photo.name, handle, "image/png" if photo.suffix == ".png" else "image/jpeg")},
            headers={"Accept": "application/json", "Referer": base + path},
            timeout=120,
            allow_redirects=False,
        )
    if response.status_code != 200:
        raise DrillFailure(f"upload of {photo.name} on {base}: HTTP {response.status_code} {response.text[:200]}")
    answer = response.json()
    if answer.get("errors") or not answer.get("files"):
        raise DrillFailure(f"upload of {photo.name} refused: {answer}")
    return int(answer["files"][0]["id"])


def photo_links_on(base: str, page: str, photo_id: int) -> list[str] | None:
    """The /files/ addresses of photo ``photo_id`` on the page at ``base + page``; None until it shows."""
    response = Reader().get(base + page)
    links = [link for link in file_links(response.text) if link.startswith(f"/files/{photo_id}/")]
    return links if response.status_code == 200 and links else None


def fetch_through(base: str, link: str) -> tuple[str, int, str]:
    """The bytes behind ``link`` on ``base``, following its redirect: (image kind, size, where they came from)."""
    reader = Reader()
    response = reader.get(base + link)
    source = "the app server"
    if response.status_code == 302:
        target = urljoin(base + link, response.headers["Location"])
        source = "the bucket" if not target.startswith(base) else "the app server"
        response = reader.get(target)
    kind = image_kind(response.content)
    if response.status_code != 200 or not kind:
        raise DrillFailure(f"{link} through {base}: HTTP {response.status_code}, not an image")
    return kind, len(response.content), source


def check_upload_served_by_other(drill: Drill) -> str:
    urls = drill.facts["urls"]
    a, b = drill.web["A"], drill.web["B"]
    photo = drill.work / "drill-photo.jpg"
    make_small_jpeg(photo)
    editor = signed_in(a, urls["login"])
    started = time.monotonic()
    photo_id = upload(editor, a, urls["upload"], photo)
    uploaded = time.monotonic()
    links = wait_for(lambda: photo_links_on(b, urls["photo_release"], photo_id), 60, "the photo on B's page", every=0.1)
    shown = time.monotonic()
    kind, size, source = fetch_through(b, links[-1])
    return (
        f"upload on A {ms(uploaded - started)}; processed and on B's page after {ms(shown - uploaded)}; "
        f"rendition {links[-1].split('/')[3]} through B ({kind}, {size} bytes, from {source})"
    )


def render_holder() -> str:
    """Which worker's database session is inside the photo task's locked transaction."""
    return (
        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'drill-worker-%%' "
        "AND xact_start IS NOT NULL AND query ILIKE %s"
    )


def task_events(log_text: str, task: str) -> list[tuple[str, str]]:
    """``(task id, "received" | "succeeded" | "failed" | "retry")`` for each of ``task``'s lines in a worker's log."""
    pattern = re.compile(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] (received|succeeded|failed|retry)")
    return pattern.findall(log_text)


def bucket_names(drill: Drill) -> set[str]:
    client, names = drill.s3(), set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        names.update(item["Key"] for item in page.get("Contents", []))
    return names


def check_worker_killed_mid_task(drill: Drill) -> str:
    urls = drill.facts["urls"]
    a = drill.web["A"]
    photo = drill.work / "drill-big.png"
    make_big_png(photo)
    editor = signed_in(a, urls["login"])
    before = bucket_names(drill)
    photo_id = upload(editor, a, urls["upload"], photo)

    def holder():
        rows = drill.sql(render_holder(), ("%events_attachment%FOR UPDATE%",))
        return rows[0][0].removeprefix("drill-worker-") if rows else None

    def half_done():
        # Running for sure: a worker's transaction holds the photo's row lock, and some of the files it makes
        # are already in the bucket (the original is the one new name before the task starts).
        name = holder()
        written = {name for name in bucket_names(drill) - before if "/kits/" not in name}
        return (name, written) if name and len(written) > 1 else None

    worker_name, written = wait_for(half_done, 60, "a worker to be half-way through the big photo", every=0.02)
    victim = drill.services[f"worker-{worker_name}"]
    victim.kill()
    killed = time.monotonic()
    state = drill.django(PHOTO_STATE, PHOTO=photo_id)
    if state["state"] != "processing":
        raise DrillFailure(f"the photo was {state['state']} when its worker was killed: nothing was half-done")
    received = [
        task for task, event in task_events(victim.log.read_text(), "media.render_photo") if event == "received"
    ]
    task_id = received[-1] if received else ""

    # The task is in Redis's unacknowledged set until the visibility timeout has passed since its delivery;
    # a worker starting (systemd's Restart=) or sweeping after that hands it out again.
    client = drill.redis()

    def handed_out_again():
        entries = client.zrange("unacked_index", 0, -1, withscores=True)
        return not entries or all(time.time() - score > VISIBILITY_TIMEOUT for _tag, score in entries)

    wait_for(handed_out_again, VISIBILITY_TIMEOUT + 30, "the visibility timeout of the killed task", every=0.1)
    victim_log_offset = victim.log.stat().st_size
    drill.start_worker(worker_name)  # as systemd would start it again

    def finished():
        current = drill.django(PHOTO_STATE, PHOTO=photo_id)
        return current if current["state"] != "processing" else None

    state = wait_for(finished, 90, "the photo to be finished by a worker", every=0.3)
    done = time.monotonic()
    if state["state"] != "ready" or state["missing"]:
        raise DrillFailure(f"the photo ended {state['state']} {state['error']!r}, missing files {state['missing']}")

    links = wait_for(
        lambda: photo_links_on(drill.web["B"], urls["photo_release"], photo_id), 30, "the photo on B's page", every=0.1
    )
    kind, size, _source = fetch_through(drill.web["B"], links[-1])

    def clean_bucket():
        orphans = orphan_count(drill.manage("find_orphan_files", "--min-age-minutes", "0"))
        pending = drill.s3().list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        return orphans == 0 and not pending

    try:
        wait_for(clean_bucket, 30, "a bucket with no orphan and no unfinished upload", every=0.5)
    except DrillFailure:
        orphans = drill.manage("find_orphan_files", "--min-age-minutes", "0")
        raise DrillFailure(f"left in the bucket: {orphans.strip()}") from None
    finishers = []
    for name, service in drill.services.items():
        if name.startswith("worker-"):
            text = service.log.read_text(errors="replace")
            if service is drill.services[f"worker-{worker_name}"]:
                text = text.encode()[victim_log_offset:].decode(errors="replace")
            if (task_id, "succeeded") in task_events(text, "media.render_photo"):
                finishers.append(name.removeprefix("worker-"))
    return (
        f"{worker_name} killed half-way (row lock held; the original and {len(written) - 1} renditions in the "
        f"bucket); ready {ms(done - killed)} after the kill ({VISIBILITY_TIMEOUT} s visibility timeout), finished "
        f"by {' and '.join(finishers) or 'a worker'} with {len(state['files'])} files, B serves it ({kind}, {size} "
        "bytes); 0 orphans, 0 unfinished multipart uploads"
    )


def check_redis_outage(drill: Drill) -> str:
    urls, reader, a = drill.facts["urls"], Reader(), drill.web["A"]
    fronts = {name: front.url for name, front in drill.fronts.items()}
    pages = {"home": "Drill photo release", "list": "Drill photo release", "photo_release": "Drill photo release"}
    for base in drill.web.values():  # the pages and the office's name in the cache when Redis stops
        for name in pages:
            reader.get(base + urls[name])
    drill.services["redis"].stop()
    if drill.redis_answers():
        raise DrillFailure("Redis still answers after being stopped")
    if not (drill.work / "redis" / "dump.rdb").exists():
        raise DrillFailure("Redis left no snapshot when it stopped")
    slowest = 0.0
    for server, base in drill.web.items():
        for name, text in pages.items():
            started = time.monotonic()
            response = reader.get(base + urls[name])
            slowest = max(slowest, time.monotonic() - started)
            if response.status_code != 200 or not page_shows(response.text, text):
                raise DrillFailure(f"{server} {urls[name]} with Redis down: HTTP {response.status_code}")
    # Editors keep working: the withdrawn release is published again and the office renamed, through A's admin.
    office = f"Drill Office {secrets.token_hex(3)}"
    for base in fronts.values():  # the withdrawn state kept by the shared caches
        reader.get(base + urls["list"])
    admin_post(signed_in(a, urls["login"]), a, urls["republish"], {"note": "Back after the drill"})
    republished = time.monotonic()
    # No broker to queue the purge: the app server purged the shared caches itself.
    for name, base in fronts.items():
        response = reader.get(base + urls["list"])
        if response.status_code != 200 or not page_shows(response.text, drill.facts["title"]):
            raise DrillFailure(f"cache {name} still lists the release as withdrawn after it was published again")
    through_caches = time.monotonic() - republished
    admin_post(
        signed_in(a, urls["login"], ADMIN),
        a,
        urls["identity"],
        {"name_en": office, "short_name_en": "", "footer_en": "", "name_ru": "", "short_name_ru": "", "footer_ru": ""},
    )
    drill.start_redis()  # from its snapshot: the old pages and the old name come back with it
    client = drill.redis()
    before = client.dbsize()

    def cached_again():
        for base in drill.web.values():
            for name in pages:
                reader.get(base + urls[name])
        return client.dbsize() > before and all(
            reader.get(base + urls["list"]).headers.get("X-Page-Cache") == "hit" for base in drill.web.values()
        )

    started = time.monotonic()
    wait_for(cached_again, 30, "the page cache to fill again after Redis came back", every=0.2)
    recovered = time.monotonic() - started
    drill.facts["office"] = office
    for server, base in drill.web.items():
        for name in ("home", "list"):
            if not page_shows(reader.get(base + urls[name]).text, drill.facts["title"]):
                raise DrillFailure(f"{server} {urls[name]} after Redis came back misses the release published again")
    return (
        f"Redis down: 6 pages on A and B answered 200 with content (slowest {ms(slowest)}); a release published "
        f"again through A's admin meanwhile, listed through {len(fronts)} shared caches after {ms(through_caches)} "
        f"(purged by A itself); back from its snapshot ({before} keys): cache hits on A and B after "
        f"{ms(recovered)} (an app server tries Redis again 5 s after its last failure), {client.dbsize()} keys, "
        "both list the release"
    )


def check_identity_after_redis(drill: Drill) -> str:
    """The office renamed through A's admin while Redis was down (check 4): the name every page shows."""
    urls, reader, office = drill.facts["urls"], Reader(), drill.facts.get("office")
    if not office:
        raise DrillFailure("the office was not renamed (check 4 did not get that far)")
    readers = {**drill.web, **{f"cache {name}": front.url for name, front in drill.fronts.items()}}
    for server, base in readers.items():
        for name in ("home", "list"):
            if not page_shows(reader.get(base + urls[name]).text, office):
                raise DrillFailure(
                    f"{server} {urls[name]} shows the office's old name, not {office!r}: the identity cached in "
                    "Redis (events.selectors.identity, no version, no expiry) came back with the snapshot"
                )
    return f"{', '.join(readers)} show {office!r} on their home and list pages"


def check_database_outage(drill: Drill) -> str:
    urls, reader = drill.facts["urls"], Reader()
    names = ["home", "list", "photo_release"]
    for base in drill.web.values():  # cached pages too: a cached page cannot be known current without the database
        for name in names:
            reader.get(base + urls[name])
    drill.stop_postgres()
    for server, base in drill.web.items():
        for name in names:
            response = reader.get(base + urls[name])
            if not is_outage_page(response.status_code, response.text):
                raise DrillFailure(
                    f"{server} {urls[name]} with PostgreSQL down: HTTP {response.status_code}, not the site's 503 page"
                )
    stopped_answers = "6 pages on A and B answered the site's 503 page"
    drill.start_postgres()
    restarted = time.monotonic()
    recovered = {}
    for server, base in drill.web.items():

        def serving(base=base):
            return all(reader.get(base + urls[name]).status_code == 200 for name in names)

        wait_for(serving, 60, f"{server} to serve pages again", every=0.1)
        recovered[server] = time.monotonic() - restarted
    return (
        f"{stopped_answers}; started again: A back after {recovered['A']:.2f} s, B after {recovered['B']:.2f} s "
        "(no restart)"
    )


CHECKS = [
    ("1 publish/withdraw on A, seen on B", check_publish_and_withdraw),
    ("1b shared caches in front of A and B", check_shared_caches),
    ("2 upload on A, served by B", check_upload_served_by_other),
    ("3 worker killed mid-task", check_worker_killed_mid_task),
    ("4 Redis stopped and started", check_redis_outage),
    ("4b office renamed during the Redis outage", check_identity_after_redis),
    ("5 PostgreSQL stopped and started", check_database_outage),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) at the end")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cso-drill-"))
    os.chmod(work, 0o755)  # the PostgreSQL cluster's folder inside is the postgres user's
    drill = Drill(work=work, keep=args.keep, env=base_env(work))
    atexit.register(drill.cleanup)

    def stop_on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    started = time.monotonic()
    try:
        set_up(drill)
    except (DrillFailure, subprocess.CalledProcessError) as failure:
        detail = getattr(failure, "stderr", "") or ""
        print(f"FAIL  set-up: {failure}\n{detail}", file=sys.stderr)
        for service in drill.services.values():
            print(f"--- {service.name}\n{service.tail()}", file=sys.stderr)
        return 1
    for name, check in CHECKS:
        drill.run_check(name, lambda check=check: check(drill))
    print(f"\n{summary_table(drill.results)}\n\ntotal {time.monotonic() - started:.0f} s")
    return 0 if all(result.passed for result in drill.results) else 1


if __name__ == "__main__":
    sys.exit(main())
