"""Fixtures of the observability tests: log lines as the site's formatters write them, and fresh metrics."""

from __future__ import annotations

import io
import json
import logging

import pytest

from cso_press.web.logging import JsonFormatter, TextFormatter

# Real brokers, each test in a space of its own (a Redis key prefix, a RabbitMQ virtual host), and real Celery
# workers on them: tests/tasks/conftest.py.
from tests.tasks.conftest import broker, rabbitmq_broker, redis_broker, sender, workers  # noqa: F401


class CapturedLog:
    """What the root logger wrote through the site's formatter while the fixture was active."""

    def __init__(self, formatter: logging.Formatter):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        """Every line parsed as JSON (a line that is not one JSON object fails the test)."""
        return [json.loads(line) for line in self.text.splitlines()]

    def access_lines(self) -> list[dict]:
        return [line for line in self.lines() if line["logger"] == "cso_press.request"]


def _capture(formatter):
    root = logging.getLogger()
    captured = CapturedLog(formatter)
    previous_level = root.level
    root.addHandler(captured.handler)
    root.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        root.removeHandler(captured.handler)
        root.setLevel(previous_level)


@pytest.fixture
def json_log():
    yield from _capture(JsonFormatter())


@pytest.fixture
def text_log():
    yield from _capture(TextFormatter())
