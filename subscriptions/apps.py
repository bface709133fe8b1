from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("E-mail alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The provider's bounce and complaint reports feed the suppression list (subscriptions/webhooks.py).
        from . import webhooks  # noqa: F401, PLC0415 - connecting a receiver is what importing it does
