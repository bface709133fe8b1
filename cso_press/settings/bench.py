"""Benchmark settings: production-like (DEBUG off, manifest static files) on loopback, plus a bare view."""

from .prod import *  # noqa: F403

ROOT_URLCONF = "cso_press.bench_urls"
# The demo content and the benchmark data generator (`load_demo`, `generate_events`); prod.py leaves it out.
INSTALLED_APPS = [*INSTALLED_APPS, "demo.apps.DemoConfig"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
