"""The admin app, with the project's admin site as the default ``admin.site``.

Kept apart from ``admin_site.py`` because app configs are imported before models can be.
"""

from django.contrib.admin.apps import AdminConfig


class PressAdminConfig(AdminConfig):
    default_site = "cso_press.accounts.admin_site.PressAdminSite"
