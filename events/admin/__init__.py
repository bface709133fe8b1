"""Admin registrations, one module per area: the directory, events, media, and the audit trail."""

from . import audit, directory, event, media  # noqa: F401
