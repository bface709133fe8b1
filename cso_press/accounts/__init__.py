"""Signing in to the admin: the two-factor login (an authenticator app and hashed backup codes), login
throttling glue for django-axes, the login's deployment checks, and the project's admin site.

May import ``events`` (the audit log's writer); ``events`` never imports this app."""
