"""Small helpers that read configuration from the environment.

Only settings modules import this; application code reads ``django.conf.settings``.
"""

from __future__ import annotations

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default if default is not None else ""
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_env(default_sqlite_path: str) -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite_path}"
    max_age = env_int("DJANGO_DB_CONN_MAX_AGE", 0)
    # A kept connection is checked before a request uses it, so one that died with a database restart is
    # replaced instead of failing that request.
    config = dj_database_url.parse(url, conn_max_age=max_age, conn_health_checks=max_age != 0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the dev server read while the demo loader or an editor writes.
        config.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    return config


def cache_from_env() -> dict:
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return {
            # Django's RedisCache, but a Redis outage reads as cache misses instead of server errors.
            "BACKEND": "events.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("DJANGO_CACHE_PREFIX", "cso_press"),
            "TIMEOUT": env_int("DJANGO_CACHE_TIMEOUT", 300),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if url and url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if url and not url.startswith("locmem://"):
        raise ImproperlyConfigured(f"CACHE_URL must start with redis://, locmem:// or dummy://, not {url!r}.")
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cso_press",
        "TIMEOUT": env_int("DJANGO_CACHE_TIMEOUT", 300),
    }
