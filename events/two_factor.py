"""Optional two-factor admin login (django-otp, TOTP), required for the groups an administrator names.

``CSO_REQUIRE_2FA_GROUPS`` lists group names (and ``CSO_REQUIRE_2FA_SUPERUSERS`` adds superusers) whose
members must type a code from their authenticator app when they sign in. Anyone who has a confirmed device
is asked for a code too: once set up, the second factor is never optional for that account.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin


def requires_two_factor(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser and settings.CSO_REQUIRE_2FA_SUPERUSERS:
        return True
    groups = settings.CSO_REQUIRE_2FA_GROUPS
    if groups and user.groups.filter(name__in=groups).exists():
        return True
    return user_has_device(user, confirmed=True)


class TwoFactorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=16,
        help_text=_("The six digits your authenticator app shows, if your account uses two-factor login."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    # Read by OTPAuthenticationFormMixin; the admin login offers neither a device choice nor challenges.
    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _("That code is not right, or has expired. Enter the current code."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if requires_two_factor(user):
            if not user_has_device(user, confirmed=True):
                raise forms.ValidationError(
                    _(
                        "Your account needs two-factor login, but no authenticator is set up for it yet. "
                        "Ask an administrator to set one up."
                    ),
                    code="no_device",
                )
            self.clean_otp(user)
        return cleaned

    def _chosen_device(self, user):
        # One authenticator app per person: the code is checked against their (first) confirmed TOTP device,
        # so a wrong code never counts against another device such as recovery codes.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()

    def _update_form(self, user):
        # The mixin fills a device drop-down here; this form has none.
        pass


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
        # A session that skipped the second factor (e.g. started before it became required) is sent to log in.
        return not requires_two_factor(request.user) or request.user.is_verified()
