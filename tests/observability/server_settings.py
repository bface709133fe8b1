"""Settings of the gunicorn and Celery processes the observability tests start: the test settings on the test's
database (DATABASE_URL from the test), with the site's own LOGGING block writing JSON as in production."""

import copy

from cso_press.settings import base as _base
from cso_press.settings.test import *  # noqa: F403

LOGGING = copy.deepcopy(_base.LOGGING)
LOGGING["handlers"]["console"]["formatter"] = "json"
