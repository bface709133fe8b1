"""Settings of the Celery workers the observability tests start: those of tests/tasks, with the site's own LOGGING
block writing JSON as in production, and a task that always fails."""

import copy

from cso_press.settings import base as _base
from tests.tasks.worker_settings import *  # noqa: F403

CELERY_IMPORTS = [*CELERY_IMPORTS, "tests.observability.worker_tasks"]  # noqa: F405
LOGGING = copy.deepcopy(_base.LOGGING)
LOGGING["handlers"]["console"]["formatter"] = "json"
