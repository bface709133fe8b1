from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("E-mail alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The provider's bounce and complaint reports feed the suppression list (subscriptions/webhooks.py).
        from . import webhooks  # noqa: F401, PLC0415 - connecting a receiver is what importing it does
        # The sending engine: its signal receivers, its Celery tasks (the app's own tasks module is the
        # subscribers' side) and its admin screens (the send log), each in a module of its own.
        from . import admin_sending, receivers, tasks_sending  # noqa: F401, PLC0415 - they need the loaded models
