"""Two-factor admin login (django-otp): an authenticator app (TOTP) plus single-use backup codes.

Staff set it up themselves on the admin page "Two-factor login" (``cso_press/accounts/views.py``).
``CSO_REQUIRE_2FA_GROUPS`` lists group names (and ``CSO_REQUIRE_2FA_SUPERUSERS`` adds superusers) whose
members must use it: they may not remove it, and one who has not set it up yet signs in with the password
and can open nothing in the admin but the set-up page until it is done. Anyone who has set it up is asked
for a code too: once on, the second factor is never optional for that account.

Backup codes are stored only as keyed digests (``cso_press.accounts.models``). Changing the second factor
(setting up an app, removing it, making new backup codes) needs the account's password and a current code
in the same form, so a stolen session cookie alone cannot take the account over. Every failed sign-in gets
the same answer, whatever was wrong (``FAILED_LOGIN``).
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from events.audit import audit_log

from .models import BackupCode, BackupCodeDevice, backup_code_digest

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"

ERROR_MESSAGES = {
    **OTPAuthenticationFormMixin.otp_error_messages,
    "token_required": _("Enter the code from your authenticator app."),
    "invalid_token": _("That code is not right, or has expired. Enter the current code."),
}

# The one answer to every failed sign-in: a wrong user name, password or code, a missing code, a throttled
# device or a locked account all read the same, so the page tells a guesser nothing about which part was right.
FAILED_LOGIN = _(
    "Signing in failed. Check your user name, your password and, if your account uses two-factor login, "
    "the code. After repeated failures, signing in is blocked for a while."
)
FAILED_REAUTHENTICATION = _("Your password or the code is not right.")


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
    """Replace the user's backup codes with fresh ones; the old ones stop working at once.

    The codes are returned to be shown once; only their digests are stored.
    """
    device = BackupCodeDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
    if device is None:
        device = BackupCodeDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    device.codes.all().delete()
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = _new_backup_code()
        if code not in codes:
            codes.append(code)
    BackupCode.objects.bulk_create(BackupCode(device=device, code_hash=backup_code_digest(code)) for code in codes)
    return codes


def unused_backup_codes(user) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True, used_at__isnull=True).count()


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
    BackupCodeDevice.objects.filter(user=user).delete()
    # Plain codes from before migration 0011 cannot exist any more; removed all the same, to be sure.
    StaticToken.objects.filter(device__user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def device_for_code(user, code: str, *, confirmed=True, for_verify=False):
    """The device a typed code belongs to: digits are the authenticator's, anything else a backup code.

    Checking only that device means a wrong code never throttles the other one.
    """
    model = TOTPDevice if code.isdigit() else BackupCodeDevice
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


def verify_code(code: str, find_device):
    """Run ``check_code`` on the device ``find_device()`` locks, in a transaction that keeps its outcome.

    Returns the device the code was right for. The error is carried out of the transaction so that a failed
    attempt still counts towards throttling.
    """
    error = device = None
    with transaction.atomic():
        try:
            device = find_device()
            check_code(device, code)
        except forms.ValidationError as exc:
            error = exc
    if error is not None:
        raise error
    return device


def record_failed_code(request, user) -> None:
    """A wrong second factor counts as a failed sign-in for login throttling (django-axes), like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def audit(user, action: str) -> None:
    """Security events go to the audit log with the editorial ones (``auth.two_factor.*``)."""
    audit_log(action=f"auth.two_factor.{action}", actor=user, object_repr=user.get_username())


# --- Forms -----------------------------------------------------------------------------------------------


class OneTimeCodeInput(forms.TextInput):
    """A text box that never shows a code again after a failed attempt: codes are single-use or expire."""

    def format_value(self, value):
        return None


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Authenticator code"))
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault(
            "widget", OneTimeCodeInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "size": 12})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_code(super().to_python(value))


class ReauthenticateForm(forms.Form):
    """The account's password and a current code, typed again before the second factor is changed.

    A session cookie alone (left open on a shared computer, or stolen) is then not enough to replace the
    authenticator app, remove two-factor login or make new backup codes. The password goes through
    ``authenticate()``, so it is throttled and locked out exactly like the login page; a wrong code counts as
    a failed sign-in too. Which of the two was wrong is not said.
    """

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    current_token = CodeField(
        label=_("Current code"),
        help_text=_("The six digits your authenticator app shows, or one of your backup codes."),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)
        if not has_two_factor(self.user):
            # Turning two-factor login on for the first time: there is no code yet, the password is enough.
            del self.fields["current_token"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.check_password()
            self.check_codes()
        return cleaned

    def check_password(self) -> None:
        user = authenticate(self.request, username=self.user.get_username(), password=self.cleaned_data["password"])
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(FAILED_REAUTHENTICATION, code="reauthentication_failed")

    def check_codes(self) -> None:
        if "current_token" not in self.fields:
            return
        code = self.cleaned_data.get("current_token") or ""
        try:
            verify_code(code, lambda: device_for_code(self.user, code, for_verify=True))
        except forms.ValidationError:
            record_failed_code(self.request, self.user)
            raise forms.ValidationError(FAILED_REAUTHENTICATION, code="reauthentication_failed") from None


class ConfirmAuthenticatorForm(ReauthenticateForm):
    """Set-up: the password (and the current code, when replacing an app), and the six digits from the app
    just added, which prove that it holds the right key.

    The new app's code is checked before the current one, so that a mistyped new code does not use up the
    backup code (or the app's code of this half-minute) given as the current one.
    """

    otp_token = CodeField(help_text=_("The six digits your authenticator app shows now."))

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        self.device = device
        super().__init__(*args, **kwargs)
        if "current_token" in self.fields:
            # Two code fields on one page: say which app each one belongs to.
            self.fields["otp_token"].label = _("Code from the new app")

    def check_codes(self) -> None:
        code = self.cleaned_data.get("otp_token") or ""

        def pending():
            devices = TOTPDevice.objects.select_for_update().filter(pk=self.device.pk, confirmed=False)
            return devices.first() if code.isdigit() else None

        try:
            verify_code(code, pending)
        except forms.ValidationError as exc:
            self.add_error("otp_token", exc)
            return
        finally:
            self.device.refresh_from_db()
        super().check_codes()


class TwoFactorLoginForm(AdminAuthenticationForm):
    """The admin login: user name, password and, for accounts that use two-factor login, a code.

    Whatever fails (no such user, a wrong password, a missing or wrong code, a throttled device, a locked-out
    account, a non-staff account) the form says ``FAILED_LOGIN`` and nothing else, keeps only the user name,
    and the page answers with the same status.
    """

    otp_token = CodeField(
        required=False,
        help_text=_(
            "The six digits your authenticator app shows, or one of your backup codes, "
            "if your account uses two-factor login."
        ),
    )

    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": FAILED_LOGIN}

    def clean(self):
        try:
            super().clean()
            user = self.get_user()
            # An account that must use two-factor login but has not set it up signs in with the password alone;
            # PressAdminSite then lets it open nothing but the set-up page.
            if user is not None and has_two_factor(user):
                self._check_second_factor(user)
        except forms.ValidationError:
            self.user_cache = None
            raise self.get_invalid_login_error() from None
        return self.cleaned_data

    def _check_second_factor(self, user) -> None:
        code = self.cleaned_data.get("otp_token") or ""
        try:
            # Six digits are checked against the authenticator, anything else against the backup codes.
            device = verify_code(code, lambda: device_for_code(user, code, for_verify=True))
        except forms.ValidationError:
            record_failed_code(self.request, user)
            raise
        # django-otp's user_logged_in handler records this device in the session: it proved the second factor.
        user.otp_device = device
