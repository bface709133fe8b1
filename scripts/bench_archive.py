"""Archive export and import at scale: wall time and peak memory of `export_archive` and `import_archive`.

On PostgreSQL (127.0.0.1:5432, a database of its own, default cso_bench_archive): `generate_events` (the
generator `make bench` uses) makes --count releases, then --files distinct photo files are stored and given
to as many photo records. Export and import then run as child processes of this script, each measured on its
own (wall time; peak RSS from os.wait4, the kernel's ru_maxrss of that child). The import goes into a second,
freshly migrated database and an empty media folder; its row and file counts are checked against the source.
With --compare-ref (e.g. main) the same is done with the archive code of that git revision, unpacked into a
temporary folder and run with the same virtualenv.

Writes docs/bench-archive.json and docs/bench-archive.md. Only 127.0.0.1 is contacted.

    .venv/bin/python scripts/bench_archive.py --count 100000 --files 300 [--reuse] [--compare-ref main]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"
TARGET_MB = 250

ADD_FILES = """
import io, os
from django.core.files.base import ContentFile
from events.models import Attachment
from PIL import Image
count = {files}
storage = Attachment._meta.get_field("file").storage
ids = list(Attachment.objects.order_by("pk").values_list("pk", flat=True)[:count])
for number, pk in enumerate(ids):
    buffer = io.BytesIO()
    # Noise does not compress: each file is about as large as a real photo of this size (some 300 KB).
    Image.frombytes("RGB", (800, 533), os.urandom(800 * 533 * 3)).save(buffer, "JPEG", quality=85)
    name = storage.save(f"private/attachments/bench/photo-{{number:04d}}.jpg", ContentFile(buffer.getvalue()))
    Attachment.objects.filter(pk=pk).update(file=name, size=len(buffer.getvalue()))
print(len(ids))
"""

COUNT_ROWS = """
import json
from django.db import connection
from events.archive import archived_models
with connection.cursor() as cursor:
    counts = {}
    for model in archived_models():
        cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')
        counts[model._meta.label] = cursor.fetchone()[0]
print(json.dumps(counts))
"""


def env_for(database: str, media: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cso_press.settings.bench",
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{database}",
        DJANGO_SECRET_KEY="benchmark-only-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_MEDIA_ROOT=str(media),
        DJANGO_STATIC_ROOT=str(media.parent / "static"),
        DJANGO_STORAGE="local",
        # No broker here: photos, kits and exports are made inside the request or command that asks for them.
        DJANGO_TASKS_IN_PROCESS="1",
    )
    for name in ("CACHE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


def recreate_database(name: str) -> None:
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(name: str) -> bool:
    with psycopg.connect(f"postgresql://postgres@{HOST}:5432/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def run(cmd: list[str], env: dict, cwd: Path = ROOT) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def measured(cmd: list[str], env: dict, cwd: Path, log: Path, timeout: float | None = None) -> dict:
    """Run ``cmd`` as a child; its wall time and its own peak RSS (ru_maxrss, KiB on Linux). A child still
    running after ``timeout`` seconds is stopped (SIGTERM) and reported as not finished, with its figures so far."""
    started = time.monotonic()
    finished = True
    with log.open("w") as output:
        process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.monotonic() - started > timeout:
                process.terminate()
                _pid, status, usage = os.wait4(process.pid, 0)
                finished = False
                break
            time.sleep(0.2)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if finished and process.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({process.returncode}); see {log}:\n{log.read_text()[-3000:]}")
    return {
        "load_average_after": round(os.getloadavg()[0], 1),
        "finished": finished,
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def prepare(args, env: dict) -> dict:
    media = Path(env["DJANGO_MEDIA_ROOT"])
    if args.reuse and database_exists(args.database):
        print(f"reusing {args.database}")
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
        return {"generated_s": None}
    recreate_database(args.database)
    shutil.rmtree(media, ignore_errors=True)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)
    started = time.monotonic()
    run([PY, "manage.py", "generate_events", "--count", str(args.count)], env)
    generated = time.monotonic() - started
    added = run([PY, "manage.py", "shell", "--no-imports", "-c", ADD_FILES.format(files=args.files)], env).strip()
    print(f"generated {args.count} releases in {generated:.0f} s; {added} distinct photo files")
    return {"generated_s": round(generated, 1)}


def row_counts(env: dict, cwd: Path = ROOT) -> dict:
    return json.loads(
        run([PY, "manage.py", "shell", "--no-imports", "-c", COUNT_ROWS], env, cwd).strip().splitlines()[-1]
    )


def media_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def round_trip(label: str, code: Path, args, source_env: dict, work: Path, timeout: float | None = None) -> dict:
    """Export from the benchmark database with the code in ``code``, import into a fresh database."""
    archive = work / f"{label}.zip"
    print(f"[{label}] export ...", flush=True)
    export = measured(
        [PY, "manage.py", "export_archive", str(archive), "--force"],
        source_env,
        code,
        work / f"{label}-export.log",
        timeout,
    )
    if not export["finished"]:
        return {"export": export, "import": None}
    export["archive_mb"] = round(archive.stat().st_size / 2**20, 1)
    print(f"[{label}] export: {export}", flush=True)
    target = f"{args.database}_restore"
    recreate_database(target)
    target_env = env_for(target, work / f"{label}-restored-media")
    shutil.rmtree(target_env["DJANGO_MEDIA_ROOT"], ignore_errors=True)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], target_env, code)
    print(f"[{label}] import ...", flush=True)
    restore = measured(
        [PY, "manage.py", "import_archive", str(archive)], target_env, code, work / f"{label}-import.log", timeout
    )
    print(f"[{label}] import: {restore}", flush=True)
    if not restore["finished"]:
        archive.unlink()
        return {"export": export, "import": restore}
    restored_rows = row_counts(target_env)
    result = {
        "export": export,
        "import": restore,
        "restored_rows": sum(restored_rows.values()),
        "restored_files": media_files(Path(target_env["DJANGO_MEDIA_ROOT"])),
        "rows_match": restored_rows == row_counts(source_env),
    }
    archive.unlink()
    return result


def unpack_ref(ref: str, into: Path) -> Path:
    folder = into / f"code-{ref.replace('/', '-')}"
    folder.mkdir()
    tar_path = into / "code.tar"
    with tar_path.open("wb") as out:
        subprocess.run(["git", "archive", ref], cwd=ROOT, stdout=out, check=True)
    with tarfile.open(tar_path) as tar:
        tar.extractall(folder, filter="data")
    (folder / ".venv").symlink_to(ROOT / ".venv")
    subprocess.run([PY, "manage.py", "compilemessages", "-v0", "--ignore", ".venv"], cwd=folder, check=False)
    return folder


def write_report(result: dict) -> None:
    docs = ROOT / "docs"
    (docs / "bench-archive.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Archive export and import benchmark",
        "",
        f"Measured {result['measured_at']} on {result['machine']} by `scripts/bench_archive.py`: PostgreSQL, "
        f"{result['count']:,} generated releases ({result['source_rows']:,} rows in all) and "
        f"{result['source_files']} distinct stored files on local disk. Each command runs as a child process; peak "
        "memory is its own ru_maxrss. The import goes into a freshly migrated database and an empty media folder.",
        "",
        f"| Code | Step | Wall time (s) | CPU (s) | Peak RSS (MB) | Target ≤ {TARGET_MB} MB |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, run_result in result["runs"].items():
        for step in ("export", "import"):
            figures = run_result[step]
            if figures is None:
                lines.append(f"| {label} | {step} | not run | | | |")
                continue
            ok = "yes" if figures["peak_rss_mb"] <= TARGET_MB else "no"
            wall = f"{figures['wall_s']}" if figures["finished"] else f"stopped unfinished after {figures['wall_s']}"
            lines.append(f"| {label} | {step} | {wall} | {figures['cpu_s']} | {figures['peak_rss_mb']} | {ok} |")
    lines.append("")
    for label, run_result in result["runs"].items():
        if "restored_rows" not in run_result:
            continue
        lines.append(
            f"- {label}: archive {run_result['export']['archive_mb']} MB; restored {run_result['restored_rows']:,} "
            f"rows and {run_result['restored_files']} files; every table's row count matches the source: "
            f"{'yes' if run_result['rows_match'] else 'NO'}."
        )
    (docs / "bench-archive.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="cso_bench_archive")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing benchmark database.")
    parser.add_argument("--compare-ref", help="Also measure the archive code of this git revision (e.g. main).")
    parser.add_argument(
        "--compare-timeout", type=float, default=900, help="Stop a step of the compared code after this many seconds."
    )
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cso-bench-archive")
    parser.add_argument("--no-report", action="store_true", help="Print the figures only.")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    source_env = env_for(args.database, args.work / "media")
    prepared = prepare(args, source_env)
    source_rows = row_counts(source_env)
    result = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "count": args.count,
        "source_rows": sum(source_rows.values()),
        "source_files": media_files(Path(source_env["DJANGO_MEDIA_ROOT"])),
        **prepared,
        "runs": {},
    }
    result["runs"]["this branch"] = round_trip("new", ROOT, args, source_env, args.work)
    if args.compare_ref:
        with tempfile.TemporaryDirectory(dir=args.work) as scratch:
            code = unpack_ref(args.compare_ref, Path(scratch))
            result["runs"][args.compare_ref] = round_trip(
                "old", code, args, source_env, args.work, timeout=args.compare_timeout
            )
    print(json.dumps(result, indent=2))
    if not args.no_report:
        write_report(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
