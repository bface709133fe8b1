"""Tests: fast hashing, in-memory cache and mail, media in a temporary folder."""

import atexit
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
