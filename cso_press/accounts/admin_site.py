"""The project's admin site: the two-factor login form, and the two-factor pages among the admin's own.

Apart from ``two_factor.py`` (the rules) and ``views.py`` (the pages, which use the rules), so
that the site, which wires both in, sits above them and neither imports the other back.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from . import views
from .two_factor import TwoFactorLoginForm, has_two_factor, must_set_up_two_factor

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
        own = [
            path("two-factor/", self.admin_view(views.status_view), name="two_factor"),
            path("two-factor/set-up/", self.admin_view(views.setup_view), name="two_factor_setup"),
            path("two-factor/backup-codes/", self.admin_view(views.backup_codes_view), name="two_factor_backup_codes"),
            path("two-factor/remove/", self.admin_view(views.remove_view), name="two_factor_remove"),
        ]
        return own + super().get_urls()
