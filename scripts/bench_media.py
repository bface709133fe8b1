"""`make bench-media`: what one camera photo costs a worker, and 60 of them uploaded end to end.

Subcommands (each writes its own part of docs/bench-media.json and re-renders docs/bench-media.md from all
parts present, so they compose; ``all`` runs every part):

- ``codecs``: generated 24-megapixel camera JPEGs (6000×4000, gradients, shapes and noise at quality 95,
  about 10 MB, with EXIF orientation, GPS and serial number, IPTC, XMP and an ICC profile). For each way of
  making "everything the worker does for one photo" (the clean full-size master and every rendition of
  ``RENDITION_SPECS`` in WebP and JPEG), each run is a child process that reports its own CPU time
  (user + sys of the work) and peak memory (``VmHWM``). The median of the runs is reported.
- ``uploads``: PostgreSQL, gunicorn and two Celery workers (one process each, queue ``media``) on this
  machine; a signed-in editor uploads N generated photos to one release, several uploaders at once, one file
  per request, through the admin's per-file upload endpoint; the server time of each request comes from
  gunicorn's access log; the script waits until every photo is ready, then reports the workers' peak
  memory, the errors and the orphan files. ``--storage s3`` runs the same against a moto server.

Only loopback addresses are contacted; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
DOCS_JSON = ROOT / "docs" / "bench-media.json"
DOCS_MD = ROOT / "docs" / "bench-media.md"
NOTES_MARKER = "<!-- Notes written by hand: bench_media.py keeps everything from here on. -->"
PHOTO_CACHE = Path("/tmp/cso-bench-media-photos")
PHOTO_SIZE = (6000, 4000)
NOISE_SIGMA = 7.5  # chosen so that a photo at quality 95 is close to 10 MB

# Targets from the issue (point 3 and the upload acceptance).
TARGET_CPU_S = 1.5
TARGET_PEAK_MB = 300
TARGET_REQUEST_S = 2.0
TARGET_READY_S = 90.0

VARIANTS = {
    "pillow-full": "current code: full decode with Pillow, master re-encoded (JPEG q92), renditions from full size",
    "pillow-full-lossless": "full decode with Pillow for the renditions, lossless clean master",
    "pillow-draft-lossless": "Pillow draft mode (DCT scaling) for the renditions, lossless clean master "
    "(process_photo_file)",
    "pyvips": "pyvips shrink-on-load thumbnails for the renditions, master re-encoded by libvips (Q92)",
    "pyvips-lossless": "pyvips shrink-on-load thumbnails for the renditions, lossless clean master",
}


# --------------------------------------------------------------------------------------------- photos


def camera_photo(seed: int, orientation: int = 1) -> bytes:
    """A 24-megapixel JPEG like a camera's: photo-like content at quality 95 and a full set of metadata."""
    rnd = random.Random(seed)
    width, height = PHOTO_SIZE
    gradient = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (gradient, radial, gradient.transpose(Image.Transpose.ROTATE_180)))
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(100, 1500), rnd.randrange(100, 1500)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    noise = Image.merge("RGB", [Image.effect_noise((width, height), NOISE_SIGMA) for _ in range(3)])
    picture = ImageChops.add(picture, noise, 1, -128)
    exif = picture.getexif()
    exif[0x0112] = orientation
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    exif[0x013B], exif[0x8298] = "Ivan Fotografov", "CSO Press Service"
    exif[0x010E] = f"Summit photo {seed}"
    exif[0x8769] = {0x9003: "2026:03:14 10:30:00", 0xA431: f"SERIAL-{seed:07d}"}
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="55,45.35N"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=95, exif=exif.tobytes(), icc_profile=icc, xmp=xmp)
    return with_iptc(buffer.getvalue(), caption=f"Delegations arrive, summit photo {seed}")


def with_iptc(jpeg: bytes, *, caption: str) -> bytes:
    """The JPEG with an APP13 IPTC block (caption, by-line) inserted after its first segment."""
    iim = b"\x1c\x01\x5a\x00\x03\x1b\x25\x47"
    for dataset, value in ((120, caption), (80, "Ivan Fotografov"), (110, "CSO Press Service")):
        data = value.encode()
        iim += struct.pack(">BBBH", 0x1C, 2, dataset, len(data)) + data
    resource_block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource_block
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + segment + jpeg[2:]


def photo_files(count: int, *, distinct: int = 4) -> list[Path]:
    """``count`` different camera JPEGs (cached in /tmp): ``distinct`` pictures, each file with its own caption."""
    PHOTO_CACHE.mkdir(parents=True, exist_ok=True)
    bases = []
    for seed in range(min(distinct, count)):
        path = PHOTO_CACHE / f"base-{seed}-o{6 if seed % 2 else 1}-s{NOISE_SIGMA}.jpg"
        if not path.exists():
            path.write_bytes(camera_photo(seed, orientation=6 if seed % 2 else 1))
        bases.append(path)
    files = []
    for number in range(count):
        path = PHOTO_CACHE / f"summit-{number:03d}.jpg"
        base = bases[number % len(bases)]
        if not path.exists() or path.stat().st_mtime < base.stat().st_mtime:
            path.write_bytes(with_iptc(base.read_bytes(), caption=f"Summit photo number {number}"))
        files.append(path)
    return files


# --------------------------------------------------------------------------------------------- codecs


def _vm_hwm_mb(pid: int | str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_codecs(args) -> dict:
    files = photo_files(args.photos)
    sizes = [path.stat().st_size for path in files]
    print("photos:", ", ".join(f"{path.name} {size / 1e6:.1f} MB" for path, size in zip(files, sizes, strict=True)))
    variants = args.variants or list(VARIANTS)
    skipped = []
    has_vips = subprocess.run([PY, "-c", "import pyvips"], capture_output=True, check=False).returncode == 0
    if not has_vips:
        skipped = [name for name in variants if name.startswith("pyvips")]
        variants = [name for name in variants if name not in skipped]
        print("pyvips is not installed in .venv (it is not in requirements.lock): skipping", ", ".join(skipped))
    results = {}
    for variant in variants:
        runs = []
        for number in range(args.runs):
            photo = files[number % len(files)]
            command = [PY, str(ROOT / "scripts" / "bench_media_codec.py"), variant, str(photo)]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode:
                raise SystemExit(f"{variant} failed on {photo.name}:\n{done.stderr[-3000:]}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        summary = {
            key: statistics.median(run[key] for run in runs)
            for key in ("cpu_s", "wall_s", "peak_mb", "baseline_mb", "master_bytes")
        }
        summary["runs"] = runs
        summary["description"] = VARIANTS[variant]
        results[variant] = summary
        print(
            f"{variant:24} cpu {summary['cpu_s']:.2f} s  wall {summary['wall_s']:.2f} s  "
            f"peak {summary['peak_mb']:.0f} MB (idle {summary['baseline_mb']:.0f} MB)  "
            f"master {summary['master_bytes'] / 1e6:.1f} MB"
        )
    return {
        "photo": {"pixels": f"{PHOTO_SIZE[0]}x{PHOTO_SIZE[1]}", "quality": 95, "bytes": sizes},
        "runs_per_variant": args.runs,
        "variants": results,
        "skipped": skipped,
        "chosen": "pillow-draft-lossless",
        "targets": {"cpu_s": TARGET_CPU_S, "peak_mb": TARGET_PEAK_MB},
        "versions": _versions(),
    }


def _versions() -> dict:
    found = {"python": platform.python_version(), "machine": f"{platform.machine()}, {os.cpu_count()} cores"}
    probe = (
        "import json, PIL; v = {'pillow': PIL.__version__}\n"
        "try:\n import pyvips; v['pyvips'] = pyvips.__version__; v['libvips'] = '%d.%d.%d' % tuple("
        "pyvips.version(i) for i in range(3))\nexcept Exception: pass\nprint(json.dumps(v))"
    )
    done = subprocess.run([PY, "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        found.update(json.loads(done.stdout))
    return found


def render_codecs(part: dict) -> list[str]:
    sizes = ", ".join(f"{size / 1e6:.1f}" for size in part["photo"]["bytes"])
    lines = [
        "## One 24-megapixel photo: every output a worker makes (`codecs`)",
        "",
        f"Generated camera JPEGs of {part['photo']['pixels']} pixels at quality {part['photo']['quality']} "
        f"({sizes} MB) with EXIF orientation, GPS and serial number, IPTC, XMP and an ICC profile. Each run is "
        "a fresh child process making the clean full-size master and all renditions (4 sizes × WebP + JPEG), "
        "stored on disk; CPU is user + sys of that work, peak is the process's high-water resident memory "
        "(idle: the same process before the work, with Django and the libraries loaded; both are `VmHWM`). "
        f"Median of {part['runs_per_variant']} runs. "
        f"Target: ≤ {part['targets']['cpu_s']} s CPU, ≤ {part['targets']['peak_mb']} MB peak.",
        "",
        "| Variant | CPU s | Wall s | Peak MB | Idle MB | Master MB | What it does |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in part["variants"].items():
        chosen = " **(chosen)**" if name == part.get("chosen") else ""
        lines.append(
            f"| `{name}`{chosen} | {row['cpu_s']:.2f} | {row['wall_s']:.2f} | {row['peak_mb']:.0f} | "
            f"{row['baseline_mb']:.0f} | {row['master_bytes'] / 1e6:.1f} | {row['description']} |"
        )
    versions = ", ".join(f"{key} {value}" for key, value in part["versions"].items())
    lines += ["", f"Versions: {versions}."]
    if part.get("skipped"):
        lines.append(
            f"Not measured in this run: {', '.join(part['skipped'])} (pyvips is not in requirements.lock; "
            "`.venv/bin/pip install pyvips pyvips-binary` to include it)."
        )
    lines.append("")
    return lines


# --------------------------------------------------------------------------------------------- uploads

EDITOR = ("bench-media-editor", "bench-media-" + "p" * 12)

PREPARE = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from events.models import Event, Section
from events.permissions import ROLE_EDITOR

user = get_user_model().objects.create_user(USERNAME, "editor@example.org", PASSWORD, is_staff=True)
user.groups.add(Group.objects.get(name=ROLE_EDITOR))
section = Section.objects.first() or Section.objects.create(name="News", slug="news")
event = Event.objects.create(title="Summit photos", slug="summit-photos", starts_at=timezone.now(), section=section)
urls = {}
with translation.override("en"):
    urls["login"] = reverse("admin:login")
    urls["upload"] = reverse("admin:events_event_upload_photos", args=[event.pk])
    for name in ("events_event_photo_states", "events_event_photos_states", "events_event_upload_states"):
        try:
            urls["states"] = reverse("admin:" + name, args=[event.pk])
            break
        except NoReverseMatch:
            pass
print(json.dumps({"event": event.pk, "urls": urls}))
"""

COLLECT = """
import json
from events.media.cleanup import find_orphans
from events.media.photos import rendition_names
from events.models import Attachment

rows = list(Attachment.objects.filter(event_id=EVENT).values())
if rows and "state" in rows[0]:  # the photo pipeline: a state per photo
    ready = sum(1 for row in rows if row["state"] == "ready")
    failed = [f"{row['original_name']}: {row['processing_error']}" for row in rows if row["state"] == "failed"]
else:  # renditions made in the upload request
    ready = sum(1 for row in rows if (row["renditions"] or {}).get("large"))
    failed = []
orphans = find_orphans() if ORPHANS else []
pipeline = bool(rows) and "state" in rows[0]
print(json.dumps({"rows": len(rows), "ready": ready, "failed": failed, "orphans": orphans, "pipeline": pipeline}))
"""


REQUEST_COST = """
import json, resource, time
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from events.models import Event, Section

client = Client()
client.force_login(get_user_model().objects.get(username=USERNAME))
event = Event.objects.create(
    title="Request cost", slug="request-cost", starts_at=timezone.now(), section=Section.objects.first()
)
with translation.override("en"):
    url = reverse("admin:events_event_upload_photos", args=[event.pk])
runs = []
for path in FILES:
    with open(path, "rb") as handle:
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        response = client.post(url, {"files": handle}, HTTP_ACCEPT="application/json")
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    runs.append({"status": response.status_code, "cpu_s": round(cpu, 3), "wall_s": round(wall, 3)})
print(json.dumps({"runs": runs}))
"""


def request_cost(env: dict, files: list[Path]) -> dict:
    """CPU of one upload request in-process (Django's test client, same database and settings), without the
    other processes of the benchmark competing for the cores. The photos it sends are left unprocessed (no
    worker runs any more), and the broker messages are dropped."""
    found = django_run(env, REQUEST_COST, USERNAME=EDITOR[0], FILES=[str(path) for path in files])
    drop = (
        "import os, redis\nclient = redis.Redis.from_url(os.environ['CELERY_BROKER_URL'])\n"
        "keys = list(client.scan_iter(os.environ['CELERY_BROKER_KEY_PREFIX'] + '*'))\n"
        "keys += list(client.scan_iter('*' + os.environ['DJANGO_CACHE_PREFIX'] + ':*'))\n"
        "client.delete(*keys) if keys else None\nprint('{}')"
    )
    subprocess.run([PY, "-c", drop], env=env, cwd=ROOT, check=True, capture_output=True)
    cpu = [run["cpu_s"] for run in found["runs"][1:]] or [run["cpu_s"] for run in found["runs"]]
    return {"runs": found["runs"], "median_cpu_s": statistics.median(cpu)}


def django_run(env: dict, code: str, **names) -> dict:
    """Run ``code`` in the project's Django (the benchmark's settings) and return the JSON it prints last."""
    prelude = "import django\ndjango.setup()\n" + "".join(f"{key} = {value!r}\n" for key, value in names.items())
    done = subprocess.run([PY, "-c", prelude + code], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"Django code failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def upload_env(args, workdir: Path) -> dict:
    env = dict(os.environ)
    for name in ("CACHE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_STORAGE"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="cso_press.settings.bench",
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{args.database}",
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=f"{HOST},testserver",
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_DB_CONN_MAX_AGE="600",
        CELERY_BROKER_URL=f"redis://{HOST}:6379/{args.redis_db}",
        CELERY_BROKER_KEY_PREFIX=f"cso-bench-media-{os.getpid()}:",
        # A shared cache, as in production (the deploy recipe's REDIS_URL): the kit build lock then holds across
        # both workers. Its own key prefix per run, so a lock left by a killed run cannot block this one.
        CACHE_URL=f"redis://{HOST}:6379/{args.redis_db}",
        DJANGO_CACHE_PREFIX=f"cso-bench-media-{os.getpid()}",
    )
    return env


def prepare_database(name: str, env: dict) -> None:
    import psycopg  # noqa: PLC0415 - deferred: `codecs` runs without a database

    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)


def start_moto(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    """moto's S3 server on a free loopback port, a bucket for the media, and the storage settings for it. Its
    request log goes to ``log`` (``kit_writes`` counts the kits stored in it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/moto_server"), "-H", HOST, "-p", str(port)],
        cwd=ROOT,
        stdout=log.open("wb"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    endpoint = f"http://{HOST}:{port}"
    wait_until(lambda: _http_ok(endpoint + "/"), 30, "moto server")
    env.update(
        DJANGO_STORAGE="s3",
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_STORAGE_BUCKET_NAME="cso-bench-media",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="bench-access-key",
        AWS_SECRET_ACCESS_KEY="bench-secret-key",
    )
    code = (
        "import boto3, os\n"
        "boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'], region_name='us-east-1')"
        ".create_bucket(Bucket=os.environ['AWS_STORAGE_BUCKET_NAME'])"
    )
    subprocess.run([PY, "-c", code], env=env, cwd=ROOT, check=True)
    return server, endpoint


# A kit stored in the bucket: one PUT (up to the multipart threshold) or the request that completes its parts.
KIT_WRITE = re.compile(
    rb'"(?:PUT /[^/ ]+/private/kits/[^ ?]+\.zip|POST /[^/ ]+/private/kits/[^ ?]+\.zip\?uploadId=[^ &]+) HTTP'
)


def kit_writes(log: Path, start: int = 0) -> tuple[int, int]:
    """How many kits the bucket server's log shows stored from byte ``start`` on, and the log's size now."""
    data = log.read_bytes()
    return len(KIT_WRITE.findall(data[start:])), len(data)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # the server answers
    except OSError:
        return False


def wait_until(condition, seconds: float, what: str, *, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(every)


def start_gunicorn(env: dict, access_log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn with 2 sync workers on a free loopback port; the access log records each request's time."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "cso_press.wsgi", "-w", "2", "-b", f"fd://{sock.fileno()}"]
        + ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        + ["--log-level", "warning"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        pass_fds=[sock.fileno()],
    )
    sock.close()
    wait_until(lambda: _http_ok(f"http://{HOST}:{port}/"), 60, "gunicorn")
    return server, port


def start_workers(env: dict, count: int, logdir: Path, nice: int = 0) -> list[subprocess.Popen]:
    workers = []
    for number in range(count):
        log = open(logdir / f"worker-{number}.log", "wb")  # noqa: SIM115 - closed with the process
        workers.append(
            subprocess.Popen(
                (["nice", "-n", str(nice)] if nice else [])
                + [PY, "-m", "celery", "-A", "cso_press", "worker", "-Q", "media", "-c", "1"]
                + ["--hostname", f"bench-media-{number}-{os.getpid()}@%h", "--loglevel", "INFO"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    for number in range(count):
        path = logdir / f"worker-{number}.log"
        wait_until(lambda path=path: b"ready." in path.read_bytes(), 90, f"Celery worker {number}")
    return workers


def process_tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            for child in children:
                found += process_tree(int(child))
    except OSError:
        pass
    return found


def worker_peaks(workers: list[subprocess.Popen]) -> dict:
    """``{"worker-N": {pid: VmHWM MB}}`` for each worker's main process and its task child."""
    return {
        f"worker-{number}": {str(pid): _vm_hwm_mb(pid) for pid in process_tree(worker.pid)}
        for number, worker in enumerate(workers)
    }


def reset_peaks(workers: list[subprocess.Popen]) -> None:
    """Start each worker process's high-water mark again from its current size (Linux: ``clear_refs`` 5), so the
    next reading covers only what ran after this point."""
    for worker in workers:
        for pid in process_tree(worker.pid):
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass


KIT_STORED = """
import json
from events.media.kits import kit_plan, stored_kit
from events.models import Event

plan = kit_plan(Event.objects.get(pk=EVENT))
print(json.dumps({"kit": stored_kit(plan) if plan is not None else None}))
"""


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def signed_in_session(base: str, login_path: str):
    import requests  # noqa: PLC0415 - deferred: only `uploads` needs an HTTP client

    session = requests.Session()
    page = session.get(base + login_path, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not token:
        raise SystemExit("no CSRF token on the login page")
    response = session.post(
        base + login_path,
        data={"csrfmiddlewaretoken": token.group(1), "username": EDITOR[0], "password": EDITOR[1], "next": "/"},
        headers={"Referer": base + login_path},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in the editor (HTTP {response.status_code})")
    return session


def upload_all(session_factory, base: str, upload_path: str, files: list[Path], uploaders: int) -> list[dict]:
    """Each uploader takes the next file until none is left; one file per request."""
    queue = list(enumerate(files))
    lock = threading.Lock()
    results: list[dict] = []

    def uploader() -> None:
        session = session_factory()
        page = session.get(base + upload_path, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        while True:
            with lock:
                if not queue:
                    return
                number, path = queue.pop(0)
            started = time.monotonic()
            try:
                with open(path, "rb") as handle:
                    response = session.post(
                        base + upload_path,
                        data={"csrfmiddlewaretoken": token.group(1) if token else ""},
                        files={"files": (path.name, handle, "image/jpeg")},
                        headers={"Accept": "application/json", "Referer": base + upload_path},
                        timeout=300,
                        allow_redirects=False,
                    )
                entry = {"file": path.name, "status": response.status_code, "client_s": time.monotonic() - started}
                if response.headers.get("Content-Type", "").startswith("application/json"):
                    body = response.json()
                    entry["ids"] = [item.get("id") for item in body.get("files", [])]
                    entry["errors"] = body.get("errors", [])
                    entry["json"] = True
                else:
                    entry["json"] = False
                    entry["errors"] = [] if response.status_code in (200, 302) else [response.text[:200]]
                    if response.status_code == 200:
                        entry["errors"] = [f"form shown again for {path.name} (refused?)"]
            except Exception as error:  # noqa: BLE001 - a failed request is an error to report, not a crash
                entry = {"file": path.name, "status": None, "errors": [repr(error)], "json": False}
            with lock:
                results.append(entry)

    threads = [threading.Thread(target=uploader) for _ in range(uploaders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def server_times(access_log: Path, path: str) -> list[float]:
    times = []
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "POST" and parts[1] == path:
            times.append(int(parts[3]) / 1e6)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else 0.0


def run_uploads(args) -> dict:
    files = photo_files(args.photos)
    sizes = [path.stat().st_size for path in files]
    print(f"{len(files)} photos, {min(sizes) / 1e6:.1f}–{max(sizes) / 1e6:.1f} MB each")
    workdir = Path(tempfile.mkdtemp(prefix="cso-bench-media-"))
    env = upload_env(args, workdir)
    processes: list[subprocess.Popen] = []
    services: list[subprocess.Popen] = []  # stopped last: the orphan count reads the storage
    moto = None
    moto_log = workdir / "moto.log"
    try:
        if args.storage == "s3":
            moto, _endpoint = start_moto(env, moto_log)
            services.append(moto)
        prepare_database(args.database, env)
        setup = django_run(env, PREPARE, USERNAME=EDITOR[0], PASSWORD=EDITOR[1])
        urls = setup["urls"]
        access_log = workdir / "access.log"
        server, port = start_gunicorn(env, access_log)
        processes.append(server)
        workers = start_workers(env, args.workers, workdir, args.worker_nice)
        load_before = os.getloadavg()
        processes += workers
        base = f"http://{HOST}:{port}"
        editor = signed_in_session(base, urls["login"])

        def session_factory():
            import requests  # noqa: PLC0415 - deferred, as in signed_in_session

            session = requests.Session()
            session.cookies.update(editor.cookies)
            return session

        bucket_cpu = {"before": cpu_seconds(moto.pid)} if moto else {}
        started = time.monotonic()
        results = upload_all(session_factory, base, urls["upload"], files, args.uploaders)
        uploaded_s = time.monotonic() - started
        if moto:
            bucket_cpu["uploads"] = cpu_seconds(moto.pid)
        load_during = os.getloadavg()
        per_file = bool(results) and all(entry.get("json") for entry in results if entry.get("status"))
        states_error = ""
        failed = []
        if per_file and urls.get("states"):
            ids = {item for entry in results for item in entry.get("ids", [])}

            def all_settled() -> bool:
                response = editor.get(base + urls["states"], headers={"Accept": "application/json"}, timeout=30)
                photos_state = {item["id"]: item for item in response.json().get("photos", [])}
                settled = [photos_state.get(item, {}).get("state") in ("ready", "failed") for item in ids]
                failed[:] = [item for item in photos_state.values() if item.get("state") == "failed"]
                return all(settled)

            try:
                wait_until(all_settled, args.deadline, "every photo to be ready", every=0.5)
            except SystemExit as error:
                states_error = str(error)
        else:
            # No per-file JSON endpoint: the photos' rows say when they are ready (or failed).
            def all_ready() -> bool:
                found = django_run(env, COLLECT, EVENT=setup["event"], ORPHANS=False)
                failed[:] = [{"id": "", "error": item} for item in found["failed"]]
                return found["ready"] + len(found["failed"]) >= len(files)

            try:
                wait_until(all_ready, args.deadline, "every photo to be ready")
            except SystemExit as error:
                states_error = str(error)
        ready_s = time.monotonic() - started
        # Memory in two phases: the photo tasks (with any kit build that ran among them while the workers had
        # caught up with the uploads), then the kit of all the photos, which the last photo to become ready asks for.
        peaks = worker_peaks(workers)
        reset_peaks(workers)
        kits_stored = {}
        if moto:
            bucket_cpu["ready"] = cpu_seconds(moto.pid)
            kits_stored["until_ready"], log_at_ready = kit_writes(moto_log)
        kit_at_ready = django_run(env, KIT_STORED, EVENT=setup["event"])["kit"] is not None
        kit_error = ""
        try:
            wait_until(
                lambda: django_run(env, KIT_STORED, EVENT=setup["event"])["kit"] is not None,
                args.deadline,
                "the press kit of all the photos",
                every=1.0,
            )
        except SystemExit as error:
            kit_error = str(error)
        kit_s = time.monotonic() - started
        kit_peaks = worker_peaks(workers)
        if moto:
            kits_stored["after_ready"], _size = kit_writes(moto_log, log_at_ready)
        times = server_times(access_log, urls["upload"])
        for process in reversed(processes):
            stop(process)
        processes = []
        collected = django_run(env, COLLECT, EVENT=setup["event"], ORPHANS=True)
        in_process = request_cost(env, files[:4])
    finally:
        for process in reversed(processes + services):
            stop(process)
    errors = [error for entry in results for error in entry.get("errors", [])]
    errors += [f"{item.get('id')}: {item.get('error')}" for item in failed]
    if states_error:
        errors.append(states_error)
    if kit_error:
        errors.append(kit_error)
    bad_status = [entry for entry in results if entry.get("status") not in (200, 201, 202, 302)]
    part = {
        "mode": "per-file JSON endpoint" if per_file else "upload form (no per-file JSON endpoint)",
        "pipeline": collected.get("pipeline", False),
        "storage": args.storage,
        "photos": len(files),
        "photo_mb": round(statistics.mean(sizes) / 1e6, 1),
        "uploaders": args.uploaders,
        "workers": args.workers,
        "gunicorn_workers": 2,
        "worker_nice": args.worker_nice,
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX", ""),
        "load_average": {"before": round(load_before[0], 1), "after_uploads": round(load_during[0], 1)},
        "requests": len(times),
        "server_s": {
            "max": round(max(times), 2) if times else None,
            "p95": round(percentile(times, 0.95), 2) if times else None,
            "median": round(statistics.median(times), 2) if times else None,
        },
        "request_cpu_in_process": in_process,
        "client_max_s": round(max((entry.get("client_s", 0) for entry in results), default=0), 2),
        "all_uploaded_s": round(uploaded_s, 1),
        "all_ready_s": round(ready_s, 1),
        "worker_peak_mb": peaks,
        "worker_peak_mb_kit": kit_peaks,
        "kit_stored_at_ready": kit_at_ready,
        # S3 only, from the bucket server: kits it stored, and its own CPU (it shares the machine's cores).
        "kits_stored": kits_stored,
        "bucket_server_cpu_s": {
            "during_uploads": round(bucket_cpu["uploads"] - bucket_cpu["before"], 1),
            "until_ready": round(bucket_cpu["ready"] - bucket_cpu["before"], 1),
        }
        if bucket_cpu
        else {},
        "kit_ready_s": round(kit_s, 1),
        "rows": collected["rows"],
        "ready": collected["ready"],
        "errors": len(errors) + len(bad_status),
        "error_samples": errors[:10] + [f"HTTP {entry.get('status')} for {entry['file']}" for entry in bad_status[:5]],
        "orphans": len(collected["orphans"]),
        "orphan_samples": collected["orphans"][:10],
        "targets": {"request_s": TARGET_REQUEST_S, "ready_s": TARGET_READY_S},
        "versions": _versions(),
    }
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({key: value for key, value in part.items() if key != "versions"}, indent=1))
    return part


def render_uploads(part: dict) -> list[str]:
    server = part["server_s"]
    photo_peaks = _peak_figures(part["worker_peak_mb"])
    kit_peaks = _peak_figures(part.get("worker_peak_mb_kit") or {})
    kit_note = (
        " (the kit was stored by then, or within the second after: this may not cover its build)"
        if part.get("kit_stored_at_ready")
        else ""
    )
    lines = [
        f"## {part['photos']} photos uploaded in one go, {part['storage']} storage (`uploads`)",
        "",
        f"Mode: **{part['mode']}**; renditions made "
        + ("by the Celery workers" if part.get("pipeline") else "inside the upload request")
        + f". {part['photos']} generated camera JPEGs of 24 MP (about {part['photo_mb']} MB "
        f"each), {part['uploaders']} concurrent uploaders, one file per request, signed in as an editor; "
        f"gunicorn ({part['gunicorn_workers']} sync workers) + PostgreSQL + Redis broker + {part['workers']} Celery "
        "worker processes (`-Q media -c 1`) on this machine. Server time per request from gunicorn's access log "
        f"(`%(D)s`). Targets: every request ≤ {part['targets']['request_s']} s, all ready ≤ "
        f"{part['targets']['ready_s']} s, 0 errors, 0 orphan files. Workers' nice level: "
        f"{part.get('worker_nice', 0)}"
        + (f"; MALLOC_ARENA_MAX={part['malloc_arena_max']}" if part.get("malloc_arena_max") else "")
        + f"; 1-minute load average of the machine before the uploads "
        f"{part.get('load_average', {}).get('before')}, after them {part.get('load_average', {}).get('after_uploads')} "
        "(other jobs may share the machine).",
        "",
        "| Figure | Value |",
        "| --- | ---: |",
        f"| Upload requests | {part['requests']} |",
        f"| Server time per request: max / p95 / median | {server['max']} / {server['p95']} / {server['median']} s |",
        f"| Slowest request seen by the client | {part['client_max_s']} s |",
        "| CPU of one upload request in-process, nothing else running (median, first run not counted) | "
        f"{part.get('request_cpu_in_process', {}).get('median_cpu_s', '–')} s |",
        f"| All uploads answered after | {part['all_uploaded_s']} s |",
        f"| All photos ready after | {part['all_ready_s']} s |",
        f"| Photos stored / with renditions | {part['rows']} / {part['ready']} |",
        f"| Errors | {part['errors']} |",
        f"| Orphan files in storage (no grace period) | {part['orphans']} |",
        "| Worker peak memory until every photo was ready: the photo tasks, and any kit build that ran while the "
        f"workers had caught up (VmHWM; main process / task child) | {'; '.join(photo_peaks)} |",
        f"| Kit of all the photos stored after | {part.get('kit_ready_s', '–')} s |",
        "| Worker peak memory from then until that kit was stored (VmHWM reset when every photo was ready)"
        f"{kit_note} | {'; '.join(kit_peaks) or '–'} |",
    ]
    kits_stored = part.get("kits_stored") or {}
    if kits_stored:
        lines.append(
            "| Press kits the bucket stored: until every photo was ready / from then until the kit of all the photos "
            f"| {kits_stored.get('until_ready')} / {kits_stored.get('after_ready', '–')} |"
        )
    bucket_cpu = part.get("bucket_server_cpu_s") or {}
    if bucket_cpu:
        lines.append(
            "| CPU of the S3-compatible server (moto, on the same cores): during the uploads / until every photo "
            f"was ready | {bucket_cpu['during_uploads']} / {bucket_cpu['until_ready']} s |"
        )
    lines.append("")
    if part["error_samples"]:
        lines += ["Errors seen:", "", *[f"- {item}" for item in part["error_samples"]], ""]
    if part["orphan_samples"]:
        lines += ["Orphans:", "", *[f"- `{item}`" for item in part["orphan_samples"]], ""]
    return lines


def _peak_figures(peaks: dict) -> list[str]:
    figures = []
    for name, pids in peaks.items():
        values = " / ".join(f"{value:.0f}" for value in pids.values() if value is not None)
        figures.append(f"{name}: {values} MB")
    return figures


# --------------------------------------------------------------------------------------------- output

RENDERERS = {"codecs": render_codecs, "uploads": render_uploads, "uploads-s3": render_uploads}


def save_part(name: str, part: dict) -> None:
    data = json.loads(DOCS_JSON.read_text()) if DOCS_JSON.exists() else {}
    part["written"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data[name] = part
    DOCS_JSON.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Media benchmarks",
        "",
        "Written by `make bench-media` (scripts/bench_media.py) from its own runs; "
        "the figures are in docs/bench-media.json.",
        "",
    ]
    for key, value in data.items():
        renderer = RENDERERS.get(key)
        if renderer is not None:
            lines += renderer(value)
            lines.append(f"_Run: {value.get('written', '?')}._")
            lines.append("")
    # Written notes (profiles, explanations) below the marker are kept as they are.
    previous = DOCS_MD.read_text() if DOCS_MD.exists() else ""
    if NOTES_MARKER in previous:
        lines.append(previous[previous.index(NOTES_MARKER) :].rstrip("\n"))
        lines.append("")
    DOCS_MD.write_text("\n".join(lines))
    print(f"wrote {DOCS_MD.relative_to(ROOT)} and {DOCS_JSON.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    codecs = commands.add_parser("codecs", help="CPU and memory of one photo's outputs, per imaging approach")
    codecs.add_argument("--runs", type=int, default=3)
    codecs.add_argument("--photos", type=int, default=3, help="different generated photos to rotate over")
    codecs.add_argument("--variants", nargs="*", choices=list(VARIANTS))
    uploads = commands.add_parser("uploads", help="N photos uploaded end to end through gunicorn and Celery")
    add_upload_options(uploads)
    everything = commands.add_parser("all", help="every part: codecs, then uploads")
    everything.add_argument("--runs", type=int, default=5)
    everything.add_argument("--photos-codecs", type=int, default=3)
    add_upload_options(everything)
    args = parser.parse_args(argv)
    if args.command in ("codecs", "all"):
        codec_args = argparse.Namespace(
            runs=args.runs, photos=getattr(args, "photos_codecs", args.photos), variants=getattr(args, "variants", None)
        )
        save_part("codecs", run_codecs(codec_args))
    if args.command in ("uploads", "all"):
        save_part("uploads" if args.storage == "disk" else "uploads-s3", run_uploads(args))
    return 0


def add_upload_options(parser) -> None:
    parser.add_argument("--photos", type=int, default=60)
    parser.add_argument("--uploaders", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (queue media, -c 1)")
    parser.add_argument("--storage", choices=["disk", "s3"], default="disk")
    parser.add_argument("--database", default="cso_bench_media")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--deadline", type=float, default=900, help="seconds to wait for every photo to be ready")
    parser.add_argument("--worker-nice", type=int, default=0, help="run the Celery workers at this nice level")


if __name__ == "__main__":
    sys.exit(main())
