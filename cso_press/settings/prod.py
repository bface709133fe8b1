"""Production: everything that matters must come from the environment, and missing values stop start-up."""

from cso_press.observability.sentry import init_sentry

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str

SECRET_KEY = env_str("DJANGO_SECRET_KEY", required=True)

# Uploaded photos, press kits and archive exports are finished by Celery workers. With no broker, production
# would hand them to nobody (photos would stay "processing"), so start-up stops instead. A one-machine site
# without Redis or RabbitMQ may choose to do that work inside the request that asks for it (slow uploads):
# DJANGO_TASKS_IN_PROCESS=1.
CELERY_TASK_ALWAYS_EAGER = env_bool("DJANGO_TASKS_IN_PROCESS", False)
if not CELERY_BROKER_URL and not CELERY_TASK_ALWAYS_EAGER:  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Production needs a task broker: set REDIS_URL (or CACHE_URL) to the site's Redis, or CELERY_BROKER_URL "
        "to Redis or RabbitMQ; or DJANGO_TASKS_IN_PROCESS=1 to do background work inside web requests."
    )
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the site answers to.")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# "preload" only states consent; the domain joins browsers' preload lists when its owner submits it there.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
if not SECURE_HSTS_PRELOAD:
    # Turned off on purpose (e.g. sub-domains that still need plain HTTP): don't warn about it on every check.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# The __Host- prefix makes browsers refuse these cookies unless they are Secure, host-only and path=/, so a
# sibling sub-domain cannot plant a session or CSRF cookie for this site.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Editors' sessions end after a working day and when the browser closes.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_HOURS", 10) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Observability (docs/observability.md): log lines are JSON unless DJANGO_LOG_FORMAT=text says otherwise, and
# errors go to Sentry when SENTRY_DSN is set (personal data scrubbed: cso_press/observability/sentry.py).
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "json").strip().lower()
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405 - checked against json|text in base.py
init_sentry(
    dsn=env_str("SENTRY_DSN"),
    environment=env_str("SENTRY_ENVIRONMENT", "production"),
    traces_sample_rate=env_str("SENTRY_TRACES_SAMPLE_RATE", "0"),
    release=env_str("SENTRY_RELEASE"),
)
