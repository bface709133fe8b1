from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo content and benchmark data: installed by the dev, test and bench settings, never by production."""

    name = "demo"
    verbose_name = _("Demo content")
