"""Tests: fast hashing, in-memory cache and mail, media in a temporary folder."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
# The demo content and the benchmark data generator (`load_demo`, `generate_events`); prod.py leaves it out.
INSTALLED_APPS = [*INSTALLED_APPS, "demo.apps.DemoConfig"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "chrome": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-chrome"},
    "here": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests-here"},
}
# The page cache is off by default so that each test sees its views' own queries; tests/events/test_page_cache.py
# (and any test about caching) turns it on with the `page_cache` fixture.
CSO_PAGE_CACHE_SECONDS = 0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cso-press-test-media-"))
# Each test gets its own folder (tests/conftest.py); this one catches module-level fixtures, and goes with the run.
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Tasks run in-process when sent, and their errors reach the test; tests/tasks starts real workers itself.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# SQLite's test database is a file rather than memory, so that the Celery worker a test starts
# (tests/tasks/test_workers.py) opens the same database; each xdist process adds its own suffix to the name.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _TEST_DATABASE_DIR = Path(tempfile.mkdtemp(prefix="cso-press-test-db-"))
    atexit.register(shutil.rmtree, _TEST_DATABASE_DIR, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DATABASE_DIR / "test.sqlite3")}  # noqa: F405
