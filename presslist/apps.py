from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PressListConfig(AppConfig):
    name = "presslist"
    verbose_name = _("Press list")
    default_auto_field = "django.db.models.BigAutoField"
