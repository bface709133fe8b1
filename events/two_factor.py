"""Two-factor admin login (django-otp): an authenticator app (TOTP) plus single-use backup codes.

Staff set it up themselves on the admin page "Two-factor login" (``events/two_factor_views.py``).
``CSO_REQUIRE_2FA_GROUPS`` lists group names (and ``CSO_REQUIRE_2FA_SUPERUSERS`` adds superusers) whose
members must use it: they may not remove it, and one who has not set it up yet signs in with the password
and can open nothing in the admin but the set-up page until it is done. Anyone who has set it up is asked
for a code too: once on, the second factor is never optional for that account.
"""

from __future__ import annotations

from base64 import b32encode
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

ERROR_MESSAGES = {
    **OTPAuthenticationFormMixin.otp_error_messages,
    "token_required": _("Enter the code from your authenticator app."),
    "invalid_token": _("That code is not right, or has expired. Enter the current code."),
}


# --- Who must use it, and who has it ---------------------------------------------------------------------


def policy_requires_two_factor(user) -> bool:
    """Whether an administrator's settings oblige this account to use two-factor login."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser and settings.CSO_REQUIRE_2FA_SUPERUSERS:
        return True
    groups = settings.CSO_REQUIRE_2FA_GROUPS
    return bool(groups) and user.groups.filter(name__in=groups).exists()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app (one per person), if any."""
    if not user or not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_two_factor(user) -> bool:
    """Two-factor login is on for this account: it has a confirmed authenticator app."""
    return authenticator(user) is not None


def requires_two_factor(user) -> bool:
    return policy_requires_two_factor(user) or has_two_factor(user)


def must_set_up_two_factor(user) -> bool:
    """A staff account that is obliged to use two-factor login but has not set it up yet."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and policy_requires_two_factor(user)
        and not has_two_factor(user)
    )


# --- Setting up and removing -----------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator the set-up page shows; the same key until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that cannot scan the QR code."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URI as an inline SVG QR code (no styles, no scripts)."""
    import segno

    code = segno.make(device.config_url, error="m")
    return code.svg_inline(scale=5, border=4, light="#fff", svgclass="cso-qr", title=str(_("QR code")))


def normalise_code(code: str) -> str:
    """Codes may be typed with spaces or dashes ("123 456", "abcd-efgh") and in any case."""
    return "".join(code.split()).replace("-", "").lower()


def _new_backup_code() -> str:
    # Backup codes always hold a letter, so that a code of digits only is always the authenticator's.
    while True:
        code = StaticToken.random_token()
        if not code.isdigit():
            return code


def format_backup_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with fresh ones; the old ones stop working at once."""
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [_new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def unused_backup_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def confirm_authenticator(user, device: TOTPDevice) -> list[str]:
    """Turn two-factor login on with ``device`` (replacing any earlier app); returns new backup codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_backup_codes(user)


@transaction.atomic
def remove_two_factor(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def device_for_code(user, code: str, *, confirmed=True, for_verify=False):
    """The device a typed code belongs to: digits are the authenticator's, anything else a backup code.

    Checking only that device means a wrong code never throttles the other one.
    """
    model = TOTPDevice if code.isdigit() else StaticDevice
    devices = model.objects.devices_for_user(user, confirmed=confirmed).order_by("pk")
    if for_verify:
        devices = devices.select_for_update()
    return devices.first()


def check_code(device, code: str) -> None:
    """Verify ``code`` on ``device``; raises ValidationError with a clear message.

    A backup code is deleted when it is used, so it works once. See ``verify_code`` for the transaction.
    """
    if not code:
        raise forms.ValidationError(ERROR_MESSAGES["token_required"], code="token_required")
    if device is None:
        raise forms.ValidationError(ERROR_MESSAGES["invalid_token"], code="invalid_token")
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            raise forms.ValidationError(ERROR_MESSAGES["n_failed_attempts"] % extra, code="throttled")
        raise forms.ValidationError(ERROR_MESSAGES["verification_not_allowed"], code="throttled")
    if not device.verify_token(code):
        raise forms.ValidationError(ERROR_MESSAGES["invalid_token"], code="invalid_token")


def verify_code(code: str, find_device) -> None:
    """Run ``check_code`` on the device ``find_device()`` locks, in a transaction that keeps its outcome.

    The error is carried out of the transaction so that a failed attempt still counts towards throttling.
    """
    error = None
    with transaction.atomic():
        try:
            check_code(find_device(), code)
        except forms.ValidationError as exc:
            error = exc
    if error is not None:
        raise error


def audit(user, action: str) -> None:
    """Security events go to the audit log with the editorial ones (``auth.two_factor.*``)."""
    from .services import audit_log

    audit_log(action=f"auth.two_factor.{action}", actor=user, object_repr=user.get_username())


# --- Forms -----------------------------------------------------------------------------------------------


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Authenticator code"))
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "size": 12})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_code(super().to_python(value))


class ConfirmAuthenticatorForm(forms.Form):
    """Set-up: the current six digits from the app just added prove that it holds the right key."""

    otp_token = CodeField(help_text=_("The six digits your authenticator app shows now."))

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)

    def clean_otp_token(self):
        code = self.cleaned_data["otp_token"]

        def pending():
            devices = TOTPDevice.objects.select_for_update().filter(pk=self.device.pk, confirmed=False)
            return devices.first() if code.isdigit() else None

        verify_code(code, pending)
        self.device.refresh_from_db()
        return code


class CurrentCodeForm(forms.Form):
    """A code from the user's own authenticator app, or one of their backup codes."""

    otp_token = CodeField(help_text=_("The six digits your authenticator app shows, or one of your backup codes."))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_otp_token(self):
        code = self.cleaned_data["otp_token"]
        verify_code(code, lambda: device_for_code(self.user, code, for_verify=True))
        return code


class TwoFactorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_token = CodeField(
        required=False,
        help_text=_(
            "The six digits your authenticator app shows, or one of your backup codes, "
            "if your account uses two-factor login."
        ),
    )
    # Read by OTPAuthenticationFormMixin; the admin login offers neither a device choice nor challenges.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = ERROR_MESSAGES

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        # An account that must use two-factor login but has not set it up signs in with the password alone;
        # PressAdminSite then lets it open nothing but the set-up page.
        if has_two_factor(user):
            self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        # The authenticator for six digits, the backup codes for anything else (clean_otp holds a transaction).
        return device_for_code(user, self.cleaned_data.get("otp_token") or "0", for_verify=True)

    def _verify_token(self, user, token, device=None):
        # Letters typed by someone without backup codes: a wrong code, not a missing device choice.
        if device is None:
            raise forms.ValidationError(self.otp_error_messages["invalid_token"], code="invalid_token")
        return super()._verify_token(user, token, device)

    def _update_form(self, user):
        # The mixin fills a device drop-down here; this form has none.
        pass


# --- The admin site --------------------------------------------------------------------------------------

# Admin pages an account that must set up two-factor login may open before it has.
OPEN_DURING_SET_UP = {"logout", "two_factor", "two_factor_setup"}


class PressAdminSite(admin.AdminSite):
    login_form = TwoFactorLoginForm
    login_template = "admin/login_two_factor.html"
    index_title = _("Newsroom")

    @property
    def site_header(self):
        return settings.CSO_SITE_NAME

    @property
    def site_title(self):
        return settings.CSO_SITE_NAME

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        # A session that skipped the second factor (e.g. started before the device was added) is sent to log in.
        # One whose account must use it but has not set it up is let in, and admin_view keeps it on the set-up.
        return not has_two_factor(request.user) or request.user.is_verified()

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def inner(request, *args, **kwargs):
            if must_set_up_two_factor(request.user) and not self._open_during_set_up(request):
                response = redirect(reverse("admin:two_factor_setup", current_app=self.name))
                add_never_cache_headers(response)
                return response
            return checked(request, *args, **kwargs)

        return inner

    def _open_during_set_up(self, request) -> bool:
        match = request.resolver_match
        return bool(match and match.namespace == self.name and match.url_name in OPEN_DURING_SET_UP)

    def get_urls(self):
        from . import two_factor_views as views

        own = [
            path("two-factor/", self.admin_view(views.status_view), name="two_factor"),
            path("two-factor/set-up/", self.admin_view(views.setup_view), name="two_factor_setup"),
            path("two-factor/backup-codes/", self.admin_view(views.backup_codes_view), name="two_factor_backup_codes"),
            path("two-factor/remove/", self.admin_view(views.remove_view), name="two_factor_remove"),
        ]
        return own + super().get_urls()
