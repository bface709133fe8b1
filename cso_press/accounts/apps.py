from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.core.checks import Tags, register
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpConfig

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


# The sign-in libraries' apps under names a person reads in the admin (superusers and administrators see them):
# without one, Django shows the label, and the admin's capitals make it "AXES" or "OTP_TOTP".


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


class AuthenticatorAppsConfig(OtpTotpConfig):
    verbose_name = _("Authenticator apps")


class StaticCodesConfig(OtpStaticConfig):
    verbose_name = _("Static one-time codes")
