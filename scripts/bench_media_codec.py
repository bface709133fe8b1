"""One run of `bench_media.py codecs`, in a process of its own: `bench_media_codec.py VARIANT PHOTO`.

Makes everything a worker makes for one photo (the clean full-size master and every rendition, stored on
disk) the way VARIANT says, and prints the CPU time (user + sys) and wall time of that work, and the
process's peak and idle resident memory (VmHWM; ``ru_maxrss`` would include the parent's, copied at fork),
as one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cso_press.settings.test")
django.setup()

from django.core.files.base import ContentFile  # noqa: E402 - after django.setup()
from django.core.files.storage import FileSystemStorage  # noqa: E402
from PIL import ImageOps  # noqa: E402

from events.media import imaging, photos  # noqa: E402
from events.media.photos import JPEG_OPTIONS, RENDITION_SPECS, WEBP_OPTIONS  # noqa: E402
from events.media.sniffing import decode_photo  # noqa: E402

pyvips = None  # imported only by the pyvips variants, so that the others' memory does not include libvips


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def pillow_full(source, storage) -> bytes:
    """The code before issue 15: every pixel decoded, the master re-encoded, renditions from full size."""
    with decode_photo(source, "photo.jpg") as image:
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    master, _extension, _content_type = photos.encode_master(upright, icc)
    photos.write_renditions(upright, storage=storage, stem="photo", icc=icc)
    return master


def pillow_full_lossless(source, storage) -> bytes:
    with decode_photo(source, "photo.jpg") as image:
        icc = image.info.get("icc_profile")
        orientation = imaging.orientation_of(image)
        upright = ImageOps.exif_transpose(image)
    source.seek(0)
    master = imaging.clean_jpeg(source.read(), orientation).data
    photos.write_renditions(upright, storage=storage, stem="photo", icc=icc)
    return master


def pillow_draft_lossless(source, storage) -> bytes:
    """What the worker runs now."""
    processed = photos.process_photo_file(
        source, original_name="photo.jpg", storage=storage, stem="photo", keep_original=False
    )
    return processed.master


def vips(source, storage, *, lossless: bool) -> bytes:
    """The same outputs with libvips: shrink-on-load to the largest size, the smaller ones cascaded from it."""
    data = source.read()
    largest = max((spec.box for spec in RENDITION_SPECS.values() if not spec.crop), key=max)
    base = pyvips.Image.thumbnail_buffer(data, largest[0], height=largest[1], size="down").copy_memory()
    for size, spec in sorted(RENDITION_SPECS.items(), key=lambda item: -max(item[1].box)):
        options = {"crop": "centre"} if spec.crop else {"size": "down"}
        image = base.thumbnail_image(spec.box[0], height=spec.box[1], **options)
        webp = image.webpsave_buffer(Q=WEBP_OPTIONS["quality"], effort=WEBP_OPTIONS["method"], keep="icc")
        jpeg = image.jpegsave_buffer(Q=JPEG_OPTIONS["quality"], optimize_coding=True, interlace=True, keep="icc")
        storage.save(f"photo-{size}.webp", ContentFile(webp))
        storage.save(f"photo-{size}.jpg", ContentFile(jpeg))
    if lossless:
        header = pyvips.Image.new_from_buffer(data, "")
        orientation = header.get("orientation") if header.get_typeof("orientation") else 1
        return imaging.clean_jpeg(data, orientation).data
    full = pyvips.Image.new_from_buffer(data, "").autorot()  # turning needs random access
    return full.jpegsave_buffer(Q=92, keep="icc")


VARIANTS = {
    "pillow-full": pillow_full,
    "pillow-full-lossless": pillow_full_lossless,
    "pillow-draft-lossless": pillow_draft_lossless,
    "pyvips": lambda source, storage: vips(source, storage, lossless=False),
    "pyvips-lossless": lambda source, storage: vips(source, storage, lossless=True),
}


def main() -> int:
    variant, photo = sys.argv[1], sys.argv[2]
    if variant.startswith("pyvips"):
        global pyvips
        try:
            import pyvips  # noqa: PLC0415 - deferred: an optional package, loaded only when measured
        except ImportError:
            raise SystemExit("pyvips is not installed in .venv (pip install pyvips pyvips-binary)") from None
        pyvips.cache_set_max(0)
    idle_mb = vm_hwm_mb()
    with tempfile.TemporaryDirectory(prefix="cso-codec-") as folder:
        storage = FileSystemStorage(location=folder)
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.perf_counter()
        with open(photo, "rb") as source:
            master = VARIANTS[variant](source, storage)
        storage.save("photo-master.jpg", ContentFile(master))
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result = {
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "peak_mb": vm_hwm_mb(),
        "baseline_mb": idle_mb,
        "master_bytes": len(master),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
