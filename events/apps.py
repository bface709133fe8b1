from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Releases and directory")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django imports this module before any model can be (the app registry is not ready yet), and these
        # modules import models: ready() is the one place they can be loaded to connect their receivers.
        from . import cache_invalidation, signals  # noqa: F401, PLC0415 - models load only after apps.py

        cache_invalidation.connect()
