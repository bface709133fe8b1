from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Press releases and events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import cache_invalidation, checks, signals  # noqa: F401

        cache_invalidation.connect()
