"""Settings of the Celery workers the mail tests start: tests/tasks' worker settings, with e-mail going over SMTP
to the test's own server (tests/smtp_server.py; its port in CSO_TEST_SMTP_PORT)."""

import os

from tests.tasks.worker_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["CSO_TEST_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
EMAIL_TIMEOUT = 60
