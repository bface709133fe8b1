"""Settings of the Celery workers that tests/tasks starts: the test settings, a real broker, the test's database
and media folder (both from the environment the test gives the worker), and the test-only tasks."""

import os
from pathlib import Path

from cso_press.settings.test import *  # noqa: F403

CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_IMPORTS = ["tests.tasks.worker_tasks"]
if CELERY_BROKER_URL.startswith("redis://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "global_keyprefix": os.environ["CELERY_BROKER_KEY_PREFIX"],
        # The kill test waits for Redis to hand out again a task whose worker died; look every second.
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
MEDIA_ROOT = Path(os.environ["DJANGO_MEDIA_ROOT"])
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "INFO"}}
