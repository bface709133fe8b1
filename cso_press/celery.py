"""The Celery application: `celery -A cso_press worker` runs tasks, `celery -A cso_press beat` sends the periodic ones.

Configuration is the CELERY_* part of the Django settings (cso_press/settings/base.py, at the end); the tasks
are found in each installed app's ``tasks`` module. The periodic schedule is below: one beat process for the
whole site sends each job to the `default` queue, and any worker may run it (every periodic job is a sweep
that is safe to run twice or on two workers at once).
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import after_setup_task_logger, task_failure, task_postrun, task_prerun, task_retry, task_success

from cso_press import metrics
from cso_press.observability import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cso_press.settings.dev")

app = Celery("cso_press")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are in the site's time zone (CELERY_TIMEZONE = TIME_ZONE). A missed run (beat stopped) is not caught
# up: the next one does the same work, as each job takes everything that is due.
app.conf.beat_schedule = {
    "purge-trash": {"task": "maintenance.purge_trash", "schedule": crontab(hour=3, minute=15)},
    "clear-expired-sessions": {"task": "maintenance.clear_expired_sessions", "schedule": crontab(hour=3, minute=30)},
    "sweep-orphan-files": {"task": "maintenance.sweep_orphan_files", "schedule": crontab(hour=4, minute=0)},
    "sweep-unfinished-uploads": {"task": "maintenance.sweep_unfinished_uploads", "schedule": crontab(minute="*/10")},
    "presslist-stale-sends": {"task": "maintenance.presslist_sweep_stale_sends", "schedule": crontab(minute="*/10")},
    "sweep-subscribers": {"task": "maintenance.sweep_subscribers", "schedule": crontab(hour=4, minute=30)},
    # E-mail alerts: scheduled releases at their minute (within 60 s), retries and resumed sending; digests.
    "mail-announce-due": {"task": "mail.announce_due", "schedule": 30.0},
    "mail-send-digests": {"task": "mail.send_digests", "schedule": crontab(minute=0)},
}


# Observability (docs/observability.md): each task's log lines carry its name and id (and, when it runs inside a
# request, that request's id), and its end is counted in the Prometheus metrics (cso_tasks_total).
_task_contexts = {}


@task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    outer = context.current()
    activity = context.Activity(
        request_id=outer.request_id if outer else "",
        request=outer.request if outer else None,
        task_name=getattr(task, "name", "") or "",
        task_id=task_id or "",
    )
    _task_contexts[task_id] = context.begin(activity)


@task_postrun.connect
def _task_ended(task_id=None, **kwargs):
    token = _task_contexts.pop(task_id, None)
    if token is not None:
        context.end(token)


@task_success.connect
def _task_succeeded(sender=None, **kwargs):
    metrics.count_task(sender.name, "success")


@task_failure.connect
def _task_failed(sender=None, **kwargs):
    metrics.count_task(sender.name, "failure")


@task_retry.connect
def _task_retried(sender=None, **kwargs):
    metrics.count_task(sender.name, "retry")


@after_setup_task_logger.connect
def _task_logs_like_the_rest(logger=None, **kwargs):
    # Celery gives task loggers a text handler of their own; the site's handlers (JSON in production) serve them.
    logger.handlers = []
    logger.propagate = True
