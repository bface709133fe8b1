from django.apps import AppConfig
from django.core.checks import Tags, register
from django.utils.translation import gettext_lazy as _

from . import checks


class AccountsConfig(AppConfig):
    """Signing in to the admin: the two-factor login, backup codes, login throttling and the admin site."""

    name = "cso_press.accounts"
    label = "accounts"
    verbose_name = _("Accounts and sign-in")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The deployment checks run only with `check --deploy`; registered here, once, with the app.
        register(checks.check_trusted_proxies, Tags.security, deploy=True)
        register(checks.check_admin_path, Tags.security, deploy=True)
