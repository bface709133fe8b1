"""The server settings with Sentry on, reporting to the fake Sentry the test runs (SENTRY_DSN from the test),
and a URL map with a view that fails holding personal data (sentry_urls.py)."""

import os

from cso_press.observability.sentry import init_sentry

from .server_settings import *  # noqa: F403

ROOT_URLCONF = "tests.observability.sentry_urls"
init_sentry(dsn=os.environ["SENTRY_DSN"], environment="tests", traces_sample_rate="0")
