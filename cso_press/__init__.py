# The Celery app is loaded with Django, so that tasks sent from the site use its configuration.
from .celery import app as celery_app

__all__ = ("celery_app",)
