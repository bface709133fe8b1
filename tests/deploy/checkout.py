"""A copy of the checkout in a test's own folder, as `git clone` would give it, sharing the virtualenv.

Tests that run `make` or manage.py commands writing into the code's folders (the compiled catalogues) work on
such a copy, so that the other tests running at the same time always find the checkout's own files in place.
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What `git clone` would not bring: build output, local data, caches, the virtualenv and npm packages.
TOP_LEVEL_ONLY = {".git", ".venv", "node_modules", "media", "staticfiles", "docs", "celerybeat-schedule"}
ANYWHERE = shutil.ignore_patterns("*.mo", "__pycache__", ".*_cache", "db.sqlite3*")


def not_in_a_clone(folder: str, names: list[str]) -> set[str]:
    ignored = set(ANYWHERE(folder, names))
    if Path(folder) == ROOT:
        ignored |= TOP_LEVEL_ONLY & set(names)
    return ignored


def copy_of_the_checkout(folder: Path) -> Path:
    shutil.copytree(ROOT, folder, ignore=not_in_a_clone, symlinks=True)
    (folder / ".venv").symlink_to((ROOT / ".venv").resolve())
    return folder
