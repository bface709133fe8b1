"""Settings of the Celery workers the sending tests start: tests/tasks' worker settings, with e-mail going over
SMTP to the test's own aiosmtpd server (its port from the environment)."""

import os

from tests.tasks.worker_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["CSO_TEST_SMTP_PORT"])
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_TIMEOUT = 60
