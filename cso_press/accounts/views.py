"""The admin's "Two-factor login" pages, where staff set up, renew and remove their own second factor.

``PressAdminSite.get_urls`` (``admin_site.py``) wires them in through ``admin_view`` (staff login). The rules
live in ``two_factor.py``; these views only read forms and choose the page. Every change is a POST, and every
change asks for the password and a current code again (``ReauthenticateForm``): a signed-in session alone is
not enough to change the second factor.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from . import two_factor as tf


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    response = TemplateResponse(
        request, f"admin/two_factor/{template}", {**admin.site.each_context(request), "title": title, **context}
    )
    add_never_cache_headers(response)
    return response


RENEW_PREFIX = "renew"
REMOVE_PREFIX = "remove"


def _status_page(request, renew_form=None, remove_form=None) -> TemplateResponse:
    user = request.user
    enabled = tf.has_two_factor(user)
    return _page(
        request,
        "status.html",
        _("Two-factor login"),
        enabled=enabled,
        required=tf.policy_requires_two_factor(user),
        unused_backup_codes=tf.unused_backup_codes(user) if enabled else 0,
        renew_form=renew_form or tf.ReauthenticateForm(request=request, prefix=RENEW_PREFIX),
        remove_form=remove_form or tf.ReauthenticateForm(request=request, prefix=REMOVE_PREFIX),
    )


def _backup_codes_page(request, codes: list[str], title: str) -> TemplateResponse:
    return _page(request, "backup_codes.html", title, codes=[tf.format_backup_code(code) for code in codes])


@require_GET
def status_view(request):
    return _status_page(request)


@require_http_methods(["GET", "POST"])
def setup_view(request):
    """Shows the pending authenticator's QR code and key; a correct code from it turns two-factor login on."""
    device = tf.pending_authenticator(request.user)
    form = tf.ConfirmAuthenticatorForm(request.POST or None, request=request, device=device)
    if request.method == "POST" and form.is_valid():
        codes = tf.confirm_authenticator(request.user, form.device)
        otp_login(request, form.device)  # this session has just proved the second factor
        tf.audit(request.user, "enabled")
        return _backup_codes_page(request, codes, _("Two-factor login is on"))
    return _page(
        request,
        "setup.html",
        _("Set up two-factor login"),
        form=form,
        qr_code=tf.qr_code_svg(device),
        secret=tf.secret_for_manual_entry(device),
        replacing=tf.has_two_factor(request.user),
        must_set_up=tf.must_set_up_two_factor(request.user),
    )


@require_POST
def backup_codes_view(request):
    if not tf.has_two_factor(request.user):
        messages.error(request, _("Set up two-factor login first."))
        return redirect("admin:two_factor")
    form = tf.ReauthenticateForm(request.POST, request=request, prefix=RENEW_PREFIX)
    if not form.is_valid():
        return _status_page(request, renew_form=form)
    codes = tf.new_backup_codes(request.user)
    tf.audit(request.user, "backup_codes_renewed")
    return _backup_codes_page(request, codes, _("New backup codes"))


@require_POST
def remove_view(request):
    user = request.user
    if tf.policy_requires_two_factor(user):
        messages.error(request, _("Your account must use two-factor login, so it cannot be removed."))
        return redirect("admin:two_factor")
    if not tf.has_two_factor(user):
        return redirect("admin:two_factor")
    form = tf.ReauthenticateForm(request.POST, request=request, prefix=REMOVE_PREFIX)
    if not form.is_valid():
        return _status_page(request, remove_form=form)
    tf.remove_two_factor(user)
    tf.audit(user, "removed")
    messages.success(request, _("Two-factor login was removed. Your password alone now signs you in."))
    return redirect("admin:two_factor")
