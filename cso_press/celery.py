"""The Celery application: `celery -A cso_press worker` runs tasks, `celery -A cso_press beat` sends the periodic ones.

Configuration is the CELERY_* part of the Django settings (cso_press/settings/base.py, at the end); the tasks
are found in each installed app's ``tasks`` module. The periodic schedule is below: one beat process for the
whole site sends each job to the `default` queue, and any worker may run it (every periodic job is a sweep
that is safe to run twice or on two workers at once).
"""

import os

from celery import Celery
from celery.schedules import crontab

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
    # E-mail alerts: scheduled releases at their minute (within 60 s), retries and resumed sending; digests.
    "mail-announce-due": {"task": "mail.announce_due", "schedule": 30.0},
    "mail-send-digests": {"task": "mail.send_digests", "schedule": crontab(minute=0)},
}
