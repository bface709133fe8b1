"""Local development: debug on unless told otherwise, SQLite by default."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
# The demo content and the benchmark data generator (`load_demo`, `generate_events`); prod.py leaves it out.
INSTALLED_APPS = [*INSTALLED_APPS, "demo.apps.DemoConfig"]
STORAGES = {
    **STORAGES,  # noqa: F405
    # The dev server serves sources directly; no collectstatic needed.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without a broker, tasks run in-process when they are sent (README "Background work").
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # noqa: F405

# The demo sends no real mail: messages (alert confirmations, alerts) are printed by the dev server instead.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
