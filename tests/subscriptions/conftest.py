"""Fixtures of the alert tests. Sending's: a real SMTP server (tests/smtp_server.py),
and real Celery workers on Redis for the kill test (tests/tasks' machinery)."""

from pathlib import Path

import pytest

from tests.smtp_server import smtp_server  # noqa: F401 - a fixture
from tests.tasks.conftest import Workers, redis_broker  # noqa: F401 - a fixture


@pytest.fixture
def mail_workers(redis_broker, transactional_db, settings, tmp_path):  # noqa: F811
    """Celery worker processes on Redis and the test's database (stopped after the test)."""
    folder = tmp_path / "workers"
    folder.mkdir()
    pool = Workers(redis_broker, folder, Path(settings.MEDIA_ROOT))
    yield pool
    pool.stop_all()


@pytest.fixture
def mail_sender(redis_broker):  # noqa: F811
    app = redis_broker.sender()
    yield app
    app.close()
