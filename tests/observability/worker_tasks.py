"""A task that always fails, for the failure counts (loaded by worker_settings.CELERY_IMPORTS and the tests)."""

from celery import shared_task


@shared_task(name="tests.observability.always_fails")
def always_fails():
    raise RuntimeError("this task always fails")
