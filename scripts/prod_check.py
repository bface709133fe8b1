"""`make prod-check`: the production recipe in deploy/ run for real, then checked over HTTPS.

Starts, on free ports chosen now and in a temporary folder: a private Redis, an S3-compatible server (moto), a
fresh PostgreSQL database on the shared server (h_prodcheck_<random>, dropped at the end), then with
DJANGO_SETTINGS_MODULE=cso_press.settings.prod and the environment a real site sets: migrate, collectstatic,
the compiled catalogues, gunicorn, a Celery worker and Celery beat (each with the ExecStart of its systemd unit
in deploy/systemd/, paths moved to this checkout), the shared cache (varnishd with deploy/varnish/cso_press.vcl,
scripts/varnish_front.py, purged by the application) and nginx with the shipped site (deploy/nginx/cso_press.conf,
its paths and ports moved by ``local_site``) and a certificate made for the run: nginx -> varnishd -> gunicorn,
as on a server. Each check prints PASS or FAIL with its reason; the exit code is 1 if any failed. Everything
started is stopped by its pid at the end, also after a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import psycopg
import requests
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django_otp.oath import totp
from moto.server import ThreadedMotoServer
from PIL import Image
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python scripts/prod_check.py`: the checkout's packages by name
    sys.path.insert(0, str(ROOT))
from scripts import varnish_front  # noqa: E402 - the checkout is on the path first

DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "cso_press.conf"
UNITS = DEPLOY / "systemd"
PY = ROOT / ".venv" / "bin" / "python"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Debian's libnginx-mod-http-brotli-filter; the shipped site's `brotli` lines need it.
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
HOST = "press.test"
BUCKET = "cso-press-prodcheck"
REGION = "us-east-1"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "prodcheck-access-key", "AWS_SECRET_ACCESS_KEY": "prodcheck-secret-key"}
ADMIN_USER = "prodcheck"
# A string of the Russian catalogue every page shows ("Skip to content"): English here means no .mo file.
RUSSIAN_MARKER = "Перейти к содержанию"
MAINTENANCE_MARKER = "The site will be back in a few minutes"

# Run by `manage.py shell -c` on production settings: the staff user with an authenticator app (two-factor is
# required for superusers here) and a public release to upload a photo to.
SETUP = """
import json, os
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from events.models import Event, Section
from events.services.releases import event_save

user = get_user_model().objects.create_superuser(
    os.environ["PRODCHECK_USER"], "prodcheck@example.org", os.environ["PRODCHECK_PASSWORD"]
)
device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
section = Section.objects.create(name="Production check", slug="production-check")
now = timezone.now()
photos = Event(
    title="Production check photo release", slug="prod-check-photos", section=section,
    starts_at=now - timedelta(days=1), lead="The production check wrote this release.",
    body="<p>Written by make prod-check.</p>", status=Event.Status.PUBLISHED,
    publish_at=now - timedelta(hours=1), first_published_at=now - timedelta(hours=1),
)
event_save(event=photos, user=user)
translation.activate("en")
print(json.dumps({
    "totp_key": device.key,
    "admin": reverse("admin:index"),
    "login": reverse("admin:login"),
    "upload": reverse("admin:events_event_upload_photos", args=[photos.pk]),
    "states": reverse("admin:events_event_photo_states", args=[photos.pk]),
    "photos_page": photos.get_absolute_url(),
    "photos_title": photos.title,
    "withdraw": reverse("admin:events_event_transition", args=[photos.pk, "withdraw"]),
    "republish": reverse("admin:events_event_transition", args=[photos.pk, "republish"]),
    "home": reverse("events:home"),
    "list": reverse("events:list"),
    "feed": reverse("events:feed-rss"),
    "ics": reverse("events:ics"),
}))
"""

# Run once the site is up, as an editor would while readers are reading: a release scheduled for the first whole
# minute at least 30 s away, so that it can be seen hidden before its minute.
SCHEDULE = """
import json, os
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from events.models import Event, Section
from events.services.releases import event_save

user = get_user_model().objects.get(username=os.environ["PRODCHECK_USER"])
now = timezone.now()
due = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
if (due - now).total_seconds() < 30:
    due += timedelta(minutes=1)
scheduled = Event(
    title="Production check scheduled release", slug="prod-check-scheduled",
    section=Section.objects.get(slug="production-check"), starts_at=now - timedelta(days=1),
    lead="The production check scheduled this release.", body="<p>Written by make prod-check.</p>",
    status=Event.Status.PUBLISHED, publish_at=due, first_published_at=due,
)
event_save(event=scheduled, user=user)
translation.activate("en")
print(json.dumps({
    "publish_at": due.isoformat(),
    "scheduled_title": scheduled.title,
    "scheduled": reverse("events:detail", kwargs={"slug": scheduled.slug}),
}))
"""


class CheckFailed(Exception):
    """A check's reason for failing."""


# --- Pieces the tests use too (tests/deploy) -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, interval: float = 0.2, process=None):
    """``check()``'s first true value, polled until ``timeout`` seconds have passed (then CheckFailed)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise CheckFailed(f"{what}: the process ended (exit code {process.returncode})")
        if time.monotonic() >= deadline:
            raise CheckFailed(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def make_certificates(folder: Path, host: str) -> tuple[Path, Path, Path]:
    """A certificate authority made for this run and a certificate for ``host`` signed by it:
    (the authority's certificate, for clients to trust; the site's certificate; its key)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cso_press prod-check CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "site.pem", folder / "site.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[2].chmod(0o600)
    return paths


def local_site(
    text: str,
    *,
    host: str,
    http_port: int,
    https_port: int,
    certificate: Path,
    key: Path,
    acme: Path,
    static: Path,
    media: Path,
    pages: Path,
    flag: Path,
    upstream: str,
    cache: str | None = None,
) -> str:
    """The shipped site with the paths and addresses its header lists replaced: loopback, the given ports
    (IPv4 only), this run's folders, gunicorn at ``upstream`` and the shared cache at ``cache`` (without one,
    readers' pages go to ``upstream`` too). Each replaced text must be in the site, or the contract is broken."""
    # Comments go (they name the server's paths), and so do the IPv6 listens.
    text = re.sub(r"^\s*(#.*|listen \[::\]:.*)\n", "", text, flags=re.MULTILINE)
    replacements = [
        ("/etc/letsencrypt/live/press.example.org/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/press.example.org/privkey.pem", str(key)),
        ("server_name press.example.org;", f"server_name {host};"),
        ("/var/www/acme/", f"{acme}/"),
        ("/srv/cso_press/staticfiles/", f"{static}/"),
        ("/srv/cso_press/media/", f"{media}/"),
        ("/srv/cso_press/app/deploy/nginx/", f"{pages}/"),
        ("/srv/cso_press/maintenance.on", str(flag)),
        ("127.0.0.1:8001", upstream),
        ("127.0.0.1:6081", cache or upstream),
        ("listen 80", f"listen 127.0.0.1:{http_port}"),
        ("listen 443 ", f"listen 127.0.0.1:{https_port} "),
    ]
    for old, new in replacements:
        if old not in text:
            raise CheckFailed(f"deploy/nginx/cso_press.conf no longer contains {old!r} (see its header)")
        text = text.replace(old, new)
    return text


def nginx_main_config(run: Path, site: Path) -> str:
    """An nginx.conf of its own for ``run``: in the foreground, its pid, logs and temporary files in ``run``,
    the brotli module loaded (Debian does that from /etc/nginx/modules-enabled/), and ``site`` included."""
    # As root, workers run as root too: they must read the run's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f" {kind}_temp_path {run}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {run}/nginx.pid;\nerror_log {run}/error.log warn;\n"
        f"load_module {BROTLI_MODULE};\n"
        "events { worker_connections 256; }\n"
        "http {\n include /etc/nginx/mime.types;\n default_type application/octet-stream;\n sendfile on;\n"
        f" access_log {run}/access.log;\n{temp} include {site};\n}}\n"
    )


def start_nginx(run: Path, site_text: str, port: int) -> subprocess.Popen:
    """nginx with ``site_text`` as its site, once it listens on ``port``; CheckFailed if the config is refused."""
    missing = [str(path) for path in (Path(NGINX), BROTLI_MODULE) if not path.exists()]
    if missing:
        raise CheckFailed(f"missing {', '.join(missing)}: apt-get install -y nginx libnginx-mod-http-brotli-filter")
    run.mkdir(parents=True, exist_ok=True)
    (run / "site.conf").write_text(site_text)
    (run / "nginx.conf").write_text(nginx_main_config(run, run / "site.conf"))
    command = [NGINX, "-p", str(run), "-c", str(run / "nginx.conf")]
    tested = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if tested.returncode != 0:
        raise CheckFailed(f"nginx refuses the site: {tested.stderr.strip()}")
    process = subprocess.Popen(command, stderr=subprocess.PIPE, start_new_session=True)
    wait_until(lambda: listening(port), timeout=15, what="nginx listening", interval=0.05, process=process)
    return process


def stop(process: subprocess.Popen | None, *, timeout: float = 20) -> None:
    """TERM to the process's own group (it was started in a session of its own), then KILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def read_unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A shipped systemd unit: each section's keys with every value given (systemd allows a key several times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def unit_command(unit: str, *, venv: Path, app: Path, state: Path) -> list[str]:
    """The ExecStart of a shipped systemd unit, with the server's folders moved to these."""
    [command] = read_unit(unit)["Service"]["ExecStart"]
    for old, new in [
        ("/srv/cso_press/venv", str(venv)),
        ("/srv/cso_press/app", str(app)),
        ("/var/lib/cso_press", str(state)),
    ]:
        command = command.replace(old, new)
    return shlex.split(command)


class PinnedHost(HTTPAdapter):
    """HTTPS to 127.0.0.1 as if to ``host``: the TLS name sent (SNI) and checked in the certificate is ``host``."""

    def __init__(self, host: str):
        self.host = host
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self.host
        kwargs["assert_hostname"] = self.host
        super().init_poolmanager(*args, **kwargs)


def negotiated(port: int, host: str, ca: Path) -> tuple[str | None, str | None]:
    """(the ALPN protocol, the TLS version) nginx agrees to with a client offering HTTP/2 and HTTP/1.1."""
    context = ssl.create_default_context(cafile=str(ca))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.selected_alpn_protocol(), tls.version()


def jpeg_bytes(width: int = 1600, height: int = 1200) -> bytes:
    picture = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


# --- The run ---------------------------------------------------------------------------------------------


class ProdCheck:
    def __init__(self, work: Path, database_prefix: str = "h_prodcheck_"):
        self.work = work
        self.database_prefix = database_prefix
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.results: list[tuple[str, bool, str]] = []
        self.figures: list[str] = []
        self.moto: ThreadedMotoServer | None = None
        self.database = ""
        self.env: dict[str, str] = {}
        self.password = secrets.token_urlsafe(18)
        self.ports: dict[str, int] = {}
        self.data: dict = {}
        self.front: varnish_front.Front | None = None
        self.stack = contextlib.ExitStack()  # the shared cache, stopped by close()

    # -- output --

    def record(self, name: str, ok: bool, detail: str) -> None:
        self.results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)

    def check(self, name: str, function) -> None:
        """Run one check; its return value is the PASS detail, CheckFailed (or any error) the FAIL reason."""
        try:
            detail = function()
        except CheckFailed as failure:
            self.record(name, False, str(failure))
        except Exception as error:  # noqa: BLE001 - whatever went wrong is this check's FAIL; the others still run
            self.record(name, False, f"{type(error).__name__}: {error}")
        else:
            self.record(name, True, detail)

    def figure(self, text: str) -> None:
        self.figures.append(text)
        print(f"      {text}", flush=True)

    # -- services --

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = self.work / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[name] = process
        return process

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PY), "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def timed(self, label: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, **kwargs)
        if done.returncode != 0:
            raise CheckFailed(f"{label} failed: {(done.stderr or done.stdout).strip()[-1500:]}")
        self.figure(f"{label}: {time.monotonic() - started:.1f} s")
        return done

    def start_backends(self) -> None:
        redis_port = free_port()
        self.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.work)],
            env=dict(os.environ),
        )
        wait_until(lambda: listening(redis_port), timeout=10, what="redis listening", process=self.processes["redis"])

        # One log line per request to the bucket would bury the checks' output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.moto.start()
        moto_host, moto_port = self.moto.get_host_and_port()
        endpoint = f"http://{moto_host}:{moto_port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}),
        ).create_bucket(Bucket=BUCKET)

        database = self.database_prefix + secrets.token_hex(4)
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        self.database = database  # dropped by close()

        self.ports = {"web": free_port(), "http": free_port(), "https": free_port()}
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_", "GUNICORN_"))},
            "DJANGO_SETTINGS_MODULE": "cso_press.settings.prod",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SITE_URL": f"https://{HOST}",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
            "DJANGO_DB_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "DJANGO_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": REGION,
            **S3_KEYS,
            "DJANGO_STATIC_ROOT": str(self.work / "static"),
            "DJANGO_MEDIA_ROOT": str(self.work / "media"),
            "DJANGO_ADMIN_PATH": f"newsroom-{secrets.token_hex(3)}/",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "DJANGO_TRUSTED_PROXY_ADDRESSES": "127.0.0.1",
            "DJANGO_REQUIRE_2FA_SUPERUSERS": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.ports['web']}",
            "GUNICORN_WORKERS": "2",
            "PRODCHECK_USER": ADMIN_USER,
            "PRODCHECK_PASSWORD": self.password,
        }
        self.env.pop("DATABASE_URL_TEST", None)
        self.env.pop("DJANGO_DEBUG", None)

    def prepare(self) -> None:
        self.timed("compile catalogues (make messages)", ["make", "--no-print-directory", "messages"], timeout=300)
        self.timed("migrate", [str(PY), "manage.py", "migrate", "--noinput", "-v0"], timeout=300)
        out = self.timed("create the check's staff user and releases", [str(PY), "manage.py", "shell", "-c", SETUP])
        self.data = json.loads(out.stdout.strip().splitlines()[-1])
        self.timed("collectstatic", [str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], timeout=300)

    def start_cache(self) -> None:
        """varnishd with the recipe's VCL in front of gunicorn's port; the application (the worker when that
        fails) purges it."""
        if not varnish_front.available():
            raise CheckFailed(f"missing {varnish_front.VARNISHD}: apt-get install -y varnish")
        log = self.work / "varnish.log"
        self.logs["varnish"] = log
        self.front = self.stack.enter_context(
            varnish_front.running(backend_port=self.ports["web"], log=self.stack.enter_context(log.open("wb")))
        )
        self.env["DJANGO_CACHE_PURGE_URLS"] = self.front.purge_url

    def start_site(self) -> None:
        self.start_cache()
        paths = {"venv": ROOT / ".venv", "app": ROOT, "state": self.work}
        self.start("gunicorn", unit_command("cso-press-web.service", **paths))
        self.start("worker", unit_command("cso-press-worker.service", **paths))
        self.start("beat", unit_command("cso-press-scheduler.service", **paths))
        wait_until(
            lambda: listening(self.ports["web"]),
            timeout=30,
            what="gunicorn listening",
            process=self.processes["gunicorn"],
        )
        self.acme = self.work / "acme"
        (self.acme / ".well-known" / "acme-challenge").mkdir(parents=True)
        (self.acme / ".well-known" / "acme-challenge" / "token-1").write_text("token-1.thumbprint")
        self.flag = self.work / "maintenance.on"
        certificate_folder = self.work / "tls"
        certificate_folder.mkdir()
        self.ca, certificate, key = make_certificates(certificate_folder, HOST)
        site = local_site(
            SITE.read_text(),
            host=HOST,
            http_port=self.ports["http"],
            https_port=self.ports["https"],
            certificate=certificate,
            key=key,
            acme=self.acme,
            static=self.work / "static",
            media=self.work / "media",
            pages=SITE.parent,
            flag=self.flag,
            upstream=f"127.0.0.1:{self.ports['web']}",
            cache=f"127.0.0.1:{self.front.port}",
        )
        self.processes["nginx"] = start_nginx(self.work / "nginx", site, self.ports["https"])
        self.base = f"https://127.0.0.1:{self.ports['https']}"
        self.session = self.new_session()
        wait_until(
            lambda: self.get("/healthz").status_code == 200, timeout=30, what="/healthz through nginx answering 200"
        )

    def new_session(self) -> requests.Session:
        session = requests.Session()
        session.verify = str(self.ca)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the run's authority
        session.mount(self.base, PinnedHost(HOST))
        return session

    def get(self, path: str, session: requests.Session | None = None, **kwargs) -> requests.Response:
        headers = {"Host": HOST, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 15)
        return (session or self.session).get(self.base + path, headers=headers, **kwargs)

    # -- checks --

    def check_headers(self) -> str:
        page = self.get(self.data["home"])
        if page.status_code != 200:
            raise CheckFailed(f"{self.data['home']} answered {page.status_code}")
        wanted = {
            "Strict-Transport-Security": lambda v: "max-age=31536000" in v and "includeSubDomains" in v,
            "Content-Security-Policy": lambda v: "default-src 'none'" in v and "frame-ancestors 'none'" in v,
            "X-Content-Type-Options": lambda v: v == "nosniff",
            "Referrer-Policy": lambda v: bool(v),
            "X-Frame-Options": lambda v: v == "DENY",
        }
        wrong = [name for name, good in wanted.items() if not good(page.headers.get(name, ""))]
        if wrong:
            raise CheckFailed("missing or weak: " + ", ".join(f"{n}={page.headers.get(n)!r}" for n in wrong))
        if page.headers.get("Server") != "nginx":
            raise CheckFailed(f"Server header gives away more than 'nginx': {page.headers.get('Server')!r}")
        return "HSTS, CSP (frame-ancestors 'none'), nosniff, Referrer-Policy, X-Frame-Options DENY; Server: nginx"

    def check_redirect(self) -> str:
        plain = f"http://127.0.0.1:{self.ports['http']}"
        answer = requests.get(plain + "/en/?q=1", headers={"Host": HOST}, allow_redirects=False, timeout=10)
        if answer.status_code != 301 or answer.headers.get("Location") != f"https://{HOST}/en/?q=1":
            raise CheckFailed(f"http answered {answer.status_code} to {answer.headers.get('Location')!r}")
        challenge = requests.get(
            plain + "/.well-known/acme-challenge/token-1", headers={"Host": HOST}, allow_redirects=False, timeout=10
        )
        if challenge.status_code != 200 or challenge.text != "token-1.thumbprint":
            raise CheckFailed(f"the ACME challenge answered {challenge.status_code} over http")
        try:
            stranger = requests.get(plain + "/en/", headers={"Host": "203.0.113.7"}, timeout=10, allow_redirects=False)
        except requests.ConnectionError:
            stranger = None  # closed without an answer (nginx's 444)
        if stranger is not None:
            raise CheckFailed(f"an unknown host name got {stranger.status_code} over http")
        return "http → 301 https://press.test/…, the ACME challenge stays on http"

    def check_slow_clients(self) -> str:
        """More stalled uploads than gunicorn has workers: nginx holds them, a page still answers at once."""
        context = ssl.create_default_context(cafile=str(self.ca))
        stalled = []
        head = (
            f"POST {self.data['list']} HTTP/1.1\r\nHost: {HOST}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nq="
        ).encode()
        try:
            for _ in range(int(self.env["GUNICORN_WORKERS"]) + 2):
                raw = socket.create_connection(("127.0.0.1", self.ports["https"]), timeout=5)
                stalled.append(raw)
                tls = context.wrap_socket(raw, server_hostname=HOST)
                stalled[-1] = tls
                tls.sendall(head)  # and then nothing: the body never comes
            started = time.monotonic()
            answer = self.get(self.data["list"], timeout=5)
            elapsed = time.monotonic() - started
        finally:
            for connection in stalled:
                connection.close()
        if answer.status_code != 200 or elapsed > 2:
            raise CheckFailed(f"with {len(stalled)} stalled uploads a page took {elapsed:.1f} s ({answer.status_code})")
        return (
            f"{len(stalled)} uploads stalled mid-body (gunicorn has {self.env['GUNICORN_WORKERS']} workers): "
            f"a page still answered in {elapsed * 1000:.0f} ms"
        )

    def check_http2(self) -> str:
        protocol, version = negotiated(self.ports["https"], HOST, self.ca)
        if protocol != "h2":
            raise CheckFailed(f"ALPN chose {protocol!r}, not h2")
        if version not in ("TLSv1.2", "TLSv1.3"):
            raise CheckFailed(f"TLS version {version}")
        return f"ALPN h2 over {version}"

    def check_unknown_host_refused(self) -> str:
        context = ssl.create_default_context(cafile=str(self.ca))
        try:
            with (
                socket.create_connection(("127.0.0.1", self.ports["https"]), timeout=5) as raw,
                context.wrap_socket(raw, server_hostname="203-0-113-7.example.net"),
            ):
                raise CheckFailed("a TLS handshake for an unknown name succeeded")
        except ssl.SSLError as error:
            return f"handshake for an unknown name refused ({error.reason})"

    def static_paths(self) -> dict[str, str]:
        page = self.get(self.data["home"]).text
        found = {}
        match = re.search(r"/static/css/site\.[0-9a-f]{12}\.css", page)
        if match:
            found["CSS"] = match.group(0)
        # The home page loads no script and no SVG by address: the collected ones (hashed names) instead.
        static = self.work / "static"
        for kind, pattern in [("JS", "js/gallery.*.js"), ("SVG", "img/emblem.*.svg")]:
            hashed = [path for path in sorted(static.glob(pattern)) if re.search(r"\.[0-9a-f]{12}\.\w+$", path.name)]
            if hashed:
                found[kind] = "/static/" + hashed[0].relative_to(static).as_posix()
        return found

    def check_compression(self) -> str:
        targets = {
            "HTML": self.data["home"],
            "RSS feed": self.data["feed"],
            "ICS": self.data["ics"],
            **self.static_paths(),
        }
        for needed in ("CSS", "JS", "SVG"):
            if needed not in targets:
                raise CheckFailed(f"no hashed {needed} file found on the home page / in STATIC_ROOT")
        sizes = []
        for label, path in targets.items():
            row = []
            for encoding in ("identity", "gzip", "br"):
                answer = self.get(path, headers={"Accept-Encoding": encoding}, stream=True)
                body = answer.raw.read(decode_content=False)
                got = answer.headers.get("Content-Encoding", "identity")
                if answer.status_code != 200 or got != encoding:
                    raise CheckFailed(f"{label} {path}: asked for {encoding}, got {answer.status_code} {got}")
                if encoding != "identity" and "Accept-Encoding" not in answer.headers.get("Vary", ""):
                    raise CheckFailed(f"{label}: no Vary: Accept-Encoding")
                row.append(len(body))
            sizes.append(f"{label} {row[0]}→gzip {row[1]}/br {row[2]} B")
        for line in sizes:
            self.figure(line)
        return "HTML, RSS, ICS, CSS, JS and SVG each come gzip and brotli compressed when asked"

    def check_shared_cache(self) -> str:
        """A reader's page comes from varnishd on the second request, and nginx still compresses it."""
        path = self.data["list"]
        first = self.get(path)
        if first.status_code != 200 or first.headers.get("X-Cache") not in ("MISS", "HIT"):
            raise CheckFailed(f"{path}: {first.status_code}, X-Cache {first.headers.get('X-Cache')!r}")
        sizes = {}
        for encoding in ("gzip", "br"):
            answer = self.get(path, headers={"Accept-Encoding": encoding}, stream=True)
            body = answer.raw.read(decode_content=False)
            got = (answer.headers.get("X-Cache"), answer.headers.get("Content-Encoding"))
            if answer.status_code != 200 or got != ("HIT", encoding):
                raise CheckFailed(f"{path} asked for {encoding}: {answer.status_code}, X-Cache/Content-Encoding {got}")
            sizes[encoding] = len(body)
        if not all(word in first.headers.get("Surrogate-Key", "").split() for word in ("site", "list:all-events")):
            raise CheckFailed(f"no cache tags for a CDN: Surrogate-Key {first.headers.get('Surrogate-Key')!r}")
        return (
            f"{path}: {first.headers['X-Cache']} then HIT, gzip {sizes['gzip']} B and br {sizes['br']} B "
            f"from one kept copy; Surrogate-Key and Cache-Tag for a CDN"
        )

    def check_static(self) -> str:
        paths = self.static_paths()
        css = paths.get("CSS")
        if not css:
            raise CheckFailed("the home page links no hashed site.<12 hex>.css")
        answer = self.get(css)
        if answer.status_code != 200 or answer.headers.get("Cache-Control") != "public, max-age=31536000, immutable":
            raise CheckFailed(f"{css}: {answer.status_code}, Cache-Control {answer.headers.get('Cache-Control')!r}")
        if answer.content != (self.work / "static" / css.removeprefix("/static/")).read_bytes():
            raise CheckFailed(f"{css} is not the collected file")
        plain = self.get("/static/css/site.css")
        if "immutable" in plain.headers.get("Cache-Control", ""):
            raise CheckFailed("an unhashed name is cached as immutable")
        return f"{css} from nginx, Cache-Control: public, max-age=31536000, immutable (unhashed names: an hour)"

    def check_russian(self) -> str:
        page = self.get("/ru/")
        if page.status_code != 200 or 'lang="ru"' not in page.text or RUSSIAN_MARKER not in page.text:
            raise CheckFailed(f"/ru/ answered {page.status_code} without “{RUSSIAN_MARKER}” (catalogue not compiled?)")
        return f"/ru/ shows “{RUSSIAN_MARKER}”"

    def check_deploy_checks(self) -> str:
        done = self.manage("check", "--deploy", "--fail-level", "WARNING")
        if done.returncode != 0:
            raise CheckFailed((done.stderr or done.stdout).strip()[-1500:])
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no issues"

    def log_in(self) -> requests.Session:
        session = self.new_session()
        login = self.get(self.data["login"], session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        if login.status_code != 200 or not token:
            raise CheckFailed(f"the login page answered {login.status_code} without a form")
        key = bytes.fromhex(self.data["totp_key"])
        answer = session.post(
            self.base + self.data["login"],
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": ADMIN_USER,
                "password": self.password,
                "otp_token": f"{totp(key):06d}",
                "next": self.data["admin"],
            },
            # What a browser on https://press.test/ sends; Django's CSRF check compares it with the host.
            headers={"Host": HOST, "Referer": f"https://{HOST}{self.data['login']}"},
            timeout=15,
            allow_redirects=False,
        )
        if answer.status_code != 302 or answer.headers.get("Location") != self.data["admin"]:
            raise CheckFailed(f"signing in with password and authenticator code answered {answer.status_code}")
        return session

    def check_photo(self) -> str:
        session = self.log_in()
        form = self.get(self.data["upload"], session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status_code != 200 or not token:
            raise CheckFailed(f"the upload page answered {form.status_code}")
        started = time.monotonic()
        answer = session.post(
            self.base + self.data["upload"],
            data={"csrfmiddlewaretoken": token.group(1), "caption": "Prod check", "credit": "cso_press"},
            files={"files": ("prod-check.jpg", jpeg_bytes(), "image/jpeg")},
            headers={"Host": HOST, "Accept": "application/json", "Referer": f"https://{HOST}{self.data['upload']}"},
            timeout=30,
        )
        if answer.status_code != 200 or not answer.json().get("files"):
            raise CheckFailed(f"the upload answered {answer.status_code}: {answer.text[:300]}")
        photo_id = answer.json()["files"][0]["id"]

        def ready():
            photos = self.get(self.data["states"], session).json()["photos"]
            state = next((photo for photo in photos if photo["id"] == photo_id), None)
            if state is None:
                raise CheckFailed(f"photo {photo_id} is not among the release's photos")
            if state["state"] == "failed":
                raise CheckFailed(f"the worker failed the photo: {state['error']}")
            return state if state["state"] == "ready" else None

        state = wait_until(ready, timeout=60, what="the worker making the photo's renditions", interval=0.3)
        processed = time.monotonic() - started
        self.figure(f"photo upload → ready (renditions by the worker): {processed:.1f} s")
        address = self.get(state["thumbnail"], session, allow_redirects=False)
        location = address.headers.get("Location", "")
        if address.status_code != 302 or not location.startswith(self.env["AWS_S3_ENDPOINT_URL"] + f"/{BUCKET}/"):
            raise CheckFailed(f"{state['thumbnail']} answered {address.status_code} to {location!r}, not the bucket")
        picture = requests.get(location, timeout=15)
        if picture.status_code != 200 or not picture.content.startswith(b"\xff\xd8"):
            raise CheckFailed(f"the bucket answered {picture.status_code} for the rendition")
        with Image.open(io.BytesIO(picture.content)) as thumbnail:
            size = thumbnail.size
        return (
            f"uploaded through the admin (2FA sign-in), ready in {processed:.1f} s, "
            f"rendition {size[0]}×{size[1]} from the bucket (presigned)"
        )

    def check_too_large(self) -> str:
        body = b"\0" * (42 * 1024 * 1024)
        page = self.session.post(self.base + self.data["upload"], data=body, headers={"Host": HOST}, timeout=60)
        script = self.session.post(
            self.base + self.data["upload"], data=body, headers={"Host": HOST, "Accept": "application/json"}, timeout=60
        )
        if page.status_code != 413 or "The upload is too large" not in page.text:
            raise CheckFailed(f"a 42 MB upload answered {page.status_code} without the “too large” page")
        if script.status_code != 413 or not script.json().get("errors"):
            raise CheckFailed(f"the upload script's 42 MB request answered {script.status_code} without JSON errors")
        return "42 MB → 413 with the “too large” page (JSON errors for the upload script)"

    def check_scheduled(self) -> str:
        due = datetime.fromisoformat(self.data["publish_at"])
        title = self.data["scheduled_title"]
        checks = hits = 0
        while datetime.now(UTC) < due - timedelta(seconds=1):
            detail = self.get(self.data["scheduled"])
            lists = [self.get(self.data[name]) for name in ("home", "list")]
            if datetime.now(UTC) < due and (detail.status_code != 404 or any(title in page.text for page in lists)):
                raise CheckFailed(f"visible before {due:%H:%M:%S} (page {detail.status_code})")
            hits += sum(page.headers.get("X-Cache") == "HIT" for page in lists)
            checks += 1
            time.sleep(min(2.0, max(0.0, (due - datetime.now(UTC)).total_seconds())))

        def public():
            if self.get(self.data["scheduled"]).status_code != 200:
                return False
            return all(title in self.get(self.data[name]).text for name in ("home", "list"))

        if not checks:
            raise CheckFailed(f"{due:%H:%M:%S} had passed before the first look: nothing shows it was hidden before")
        if not hits:
            raise CheckFailed("the shared cache kept neither the home page nor the list while the release was hidden")
        wait_until(public, timeout=(due - datetime.now(UTC)).total_seconds() + 20, what="the release at its minute")
        late = (datetime.now(UTC) - due).total_seconds()
        self.figure(
            f"scheduled release public {late:.1f} s after {due:%H:%M:%S} (hidden on {checks} checks before, "
            f"{hits} of {2 * checks} list answers from the shared cache)"
        )
        return (
            f"hidden before {due:%H:%M} UTC (home and list kept by varnishd meanwhile), on its page, the home page "
            f"and the list {late:.1f} s after"
        )

    def admin_transition(self, session: requests.Session, path: str, note: str) -> None:
        """An editor's transition through the admin's form (CSRF token, note), as a browser sends it."""
        form = self.get(path, session)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status_code != 200 or not token:
            raise CheckFailed(f"{path} answered {form.status_code} without a form")
        answer = session.post(
            self.base + path,
            data={"csrfmiddlewaretoken": token.group(1), "note": note},
            headers={"Host": HOST, "Referer": f"https://{HOST}{path}"},
            timeout=15,
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise CheckFailed(f"{path} answered {answer.status_code} to the editor's form")

    def purged_after(self, bans: int, what: str) -> float:
        """Seconds until varnishd counted a ban beyond ``bans`` (the application's purge)."""
        started = time.monotonic()
        wait_until(lambda: self.front.counters()["bans"] > bans, timeout=30, what=what, interval=0.1)
        return time.monotonic() - started

    def check_purge(self) -> str:
        """A withdrawal and a republication in the admin: the application purges varnishd, and the next anonymous
        request shows the change on the release's page and the home page, both kept before."""
        page, home, title = self.data["photos_page"], self.data["home"], self.data["photos_title"]
        reason = "Withdrawn by make prod-check"
        for path in (page, home):
            self.get(path)
            kept = self.get(path)
            if kept.status_code != 200 or kept.headers.get("X-Cache") != "HIT":
                raise CheckFailed(f"{path} was not kept: {kept.status_code}, X-Cache {kept.headers.get('X-Cache')!r}")
        if title not in self.get(home).text:
            raise CheckFailed("the home page does not list the release to withdraw")
        session = self.log_in()
        timings = []
        for transition, note in (("withdraw", reason), ("republish", "")):
            bans = self.front.counters()["bans"]
            self.admin_transition(session, self.data[transition], note)
            timings.append(self.purged_after(bans, f"the purge after the {transition}"))
            release, listing = self.get(page), self.get(home)
            withdrawn = transition == "withdraw"
            if release.headers.get("X-Cache") == "HIT" or listing.headers.get("X-Cache") == "HIT":
                raise CheckFailed(f"after the {transition} a kept copy was served (X-Cache HIT)")
            if (reason in release.text) != withdrawn or (title in listing.text) == withdrawn:
                raise CheckFailed(f"after the {transition} the next request shows the old page or list")
        self.figure(f"admin withdraw → purge counted by varnishd in {timings[0]:.2f} s; republish: {timings[1]:.2f} s")
        return (
            "withdrawn and republished in the admin: the application's purge (a varnishd ban each) made the next "
            "anonymous request show the notice, then the release again, on its page and the home page"
        )

    def check_beat(self) -> str:
        log = self.logs["beat"]
        wait_until(
            lambda: b"beat: Starting" in log.read_bytes(),
            timeout=20,
            what="beat starting",
            process=self.processes["beat"],
        )
        worker_log = self.logs["worker"]
        wait_until(
            lambda: b"ready." in worker_log.read_bytes(),
            timeout=20,
            what="worker ready",
            process=self.processes["worker"],
        )
        return "celery beat and the worker (queues default, media, mail) run from the systemd units' ExecStart"

    def maintenance_headers(self, path: str | None = None, **kwargs):
        """The headers of the maintenance page if ``path`` (the home page) answers with it (a 503 is falsy)."""
        answer = self.get(path or self.data["home"], **kwargs)
        return answer.headers if answer.status_code == 503 and MAINTENANCE_MARKER in answer.text else None

    def check_maintenance(self) -> str:
        self.flag.touch()
        try:
            headers = wait_until(self.maintenance_headers, timeout=5, what="the maintenance page with the flag file")
            if not headers.get("Retry-After"):
                raise CheckFailed("the maintenance page has no Retry-After")
        finally:
            self.flag.unlink()
        wait_until(
            lambda: self.get(self.data["home"]).status_code == 200, timeout=5, what="the site back without the flag"
        )
        self.get(self.data["home"])
        stop(self.processes["gunicorn"])
        # A page varnishd does not hold (a new address) asks gunicorn: varnishd answers the maintenance page; an
        # editor's request goes straight to gunicorn: nginx answers it. A kept page is still served meanwhile.
        fresh = f"{self.data['list']}?q=maintenance-{secrets.token_hex(4)}"
        headers = wait_until(
            lambda: self.maintenance_headers(fresh), timeout=10, what="the maintenance page through varnishd"
        )
        wait_until(
            lambda: self.maintenance_headers(headers={"Cookie": "__Host-sessionid=prodcheck"}),
            timeout=10,
            what="the maintenance page for an editor (nginx, straight to gunicorn)",
        )
        kept = self.get(self.data["home"])
        if kept.status_code != 200 or kept.headers.get("X-Cache") != "HIT":
            raise CheckFailed(f"with gunicorn stopped the kept home page answered {kept.status_code}")
        return (
            f"503 + Retry-After {headers['Retry-After']} with the flag file and with gunicorn stopped (from varnishd "
            "for readers, from nginx for editors); kept pages still served from the cache meanwhile"
        )

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.start_backends()
            self.prepare()
            self.start_site()
        except (CheckFailed, OSError, ValueError, subprocess.SubprocessError, psycopg.Error) as error:
            self.record("start the production stack", False, str(error))
            return
        try:
            scheduled = self.timed("schedule a release", [str(PY), "manage.py", "shell", "-c", SCHEDULE])
            self.data.update(json.loads(scheduled.stdout.strip().splitlines()[-1]))
        except (CheckFailed, ValueError, subprocess.SubprocessError) as error:
            self.record("schedule a release", False, str(error))
        self.figure(
            f"stack up in {time.monotonic() - started:.1f} s "
            f"(ports https {self.ports['https']}, http {self.ports['http']})"
        )
        self.check("security headers", self.check_headers)
        self.check("http → https", self.check_redirect)
        self.check("slow clients never hold a gunicorn worker", self.check_slow_clients)
        self.check("HTTP/2 and TLS", self.check_http2)
        self.check("unknown host names refused", self.check_unknown_host_refused)
        self.check("compression (gzip, brotli)", self.check_compression)
        self.check("shared cache: kept pages, still compressed", self.check_shared_cache)
        self.check("hashed static files, immutable caching", self.check_static)
        self.check("Russian UI (compiled catalogues)", self.check_russian)
        self.check("manage.py check --deploy --fail-level WARNING", self.check_deploy_checks)
        self.check("worker and scheduler running", self.check_beat)
        self.check("photo upload processed by the worker and served", self.check_photo)
        self.check("upload size limit", self.check_too_large)
        if "publish_at" in self.data:
            self.check("scheduled release at its minute, through the shared cache", self.check_scheduled)
        self.check("withdraw and republish in the admin purge the shared cache", self.check_purge)
        self.check("maintenance page", self.check_maintenance)
        if self.front is not None:
            # varnishd adds a connection's counts when it closes: nginx's kept-alive ones may still be open.
            counters = self.front.counters()
            self.figure(
                f"varnishd: {counters['hits']} hits, {counters['misses']} misses, {counters['passes']} passes, "
                f"{counters['bans']} bans, {counters['backend_requests']} requests to gunicorn"
            )
        self.figure(f"total {time.monotonic() - started:.0f} s")

    def close(self) -> None:
        for name in ("nginx", "gunicorn", "worker", "beat", "redis"):
            stop(self.processes.get(name))
        self.stack.close()
        if self.moto is not None:
            self.moto.stop()
        if self.database:
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def show_logs(self) -> None:
        for name, log in self.logs.items():
            lines = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
            print(f"--- {name} (last lines)\n" + "\n".join(lines))
        error_log = self.work / "nginx" / "error.log"
        if error_log.exists():
            print("--- nginx error.log\n" + "\n".join(error_log.read_text().splitlines()[-15:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs) at the end")
    parser.add_argument(
        "--database-prefix", default="h_prodcheck_", help="the name of the run's database, before its random part"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cso-prodcheck-"))
    check = ProdCheck(work, database_prefix=args.database_prefix)
    try:
        check.run()
    finally:
        failed = [name for name, ok, _ in check.results if not ok]
        if failed:
            check.show_logs()
        check.close()
        if args.keep:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    passed = sum(ok for _, ok, _ in check.results)
    print(f"\nprod-check: {passed} passed, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed or not check.results else 0


if __name__ == "__main__":
    sys.exit(main())
