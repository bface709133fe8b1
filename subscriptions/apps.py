from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("E-mail alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Modules that need the loaded models: the provider's bounce and complaint reports (webhooks: they feed
        # the suppression list); the sending engine's signal receivers, Celery tasks (the app's own tasks module
        # is the subscribers' side) and admin screens (the send log).
        from . import admin_sending, receivers, tasks_sending, webhooks  # noqa: F401, PLC0415 - see above
