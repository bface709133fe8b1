"""Small helpers that read configuration from the environment.

Only settings modules import this; application code reads ``django.conf.settings``.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

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
        # WAL lets the dev server read while the demo loader or an editor writes. Parallel uploads (the upload
        # page sends three files at once) write at the same time: a writer takes the lock when its transaction
        # begins (BEGIN IMMEDIATE) and waits up to 30 s for it, instead of failing with "database is locked".
        config.setdefault("OPTIONS", {}).update(
            {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 30}
        )
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


LOCAL_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_STORAGE_BACKEND = "events.media.backends.MediaS3Storage"


def media_storage_from_env() -> dict:
    """``STORAGES["default"]``: local disk (MEDIA_ROOT) unless ``DJANGO_STORAGE=s3`` names an S3-compatible bucket.

    Everything comes from the environment: the bucket, the endpoint (empty for AWS itself), the region, the keys
    (empty: boto3's own chain, e.g. an instance role), and a CDN domain for the public pictures.
    """
    kind = env_str("DJANGO_STORAGE", "local").strip().lower()
    if kind in ("local", "disk"):
        return dict(LOCAL_STORAGE)
    if kind != "s3":
        raise ImproperlyConfigured(f"DJANGO_STORAGE must be local or s3, not {kind!r}.")
    endpoint = env_str("AWS_S3_ENDPOINT_URL")
    options = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", required=True),
        "endpoint_url": endpoint or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN").strip("/") or None,
        "location": env_str("AWS_LOCATION").strip("/"),
        # Services other than AWS (MinIO, Ceph, moto…) are reached at their endpoint's own host name.
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path" if endpoint else "virtual"),
        "signature_version": "s3v4",
        # A release file's presigned address works this long after the access check that handed it out.
        "querystring_expire": env_int("DJANGO_MEDIA_PRESIGNED_SECONDS", 120),
        # Set empty for a bucket whose policy makes the public folders readable (ACLs switched off).
        "public_acl": os.environ.get("AWS_S3_PUBLIC_ACL", "public-read").strip(),
        # Never replace a stored file: a second file under a taken name gets a new name, as on disk.
        "file_overwrite": False,
        # A file read from the bucket is buffered in memory up to this size, on disk beyond it.
        "max_memory_size": 8 * 1024 * 1024,
    }
    return {"BACKEND": S3_STORAGE_BACKEND, "OPTIONS": options}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(storage: dict) -> list[str]:
    """The origins pages load media from when ``storage`` is a bucket (for the Content-Security-Policy).

    Public pictures come from the CDN domain if there is one, else from the bucket; release files always come
    from the bucket (the ``/files/`` view redirects to a presigned address there).
    """
    if storage.get("BACKEND") != S3_STORAGE_BACKEND:
        return []
    options = storage["OPTIONS"]
    origins = []
    if options.get("custom_domain"):
        origins.append(f"https://{options['custom_domain'].split('/')[0]}")
    bucket, endpoint = options["bucket_name"], options.get("endpoint_url")
    virtual = options.get("addressing_style") == "virtual"
    if endpoint:
        parts = urlsplit(endpoint)
        origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}" if virtual else _origin(endpoint))
    else:
        region = options.get("region_name")
        # AWS answers on the regional and (for older buckets and us-east-1) the global name.
        if region:
            origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
        origins.append(f"https://{bucket}.s3.amazonaws.com")
    return list(dict.fromkeys(origins))
