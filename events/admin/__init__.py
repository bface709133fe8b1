"""Admin registrations, one module per area: the directory, events, media, the audit trail and the site identity."""

from . import audit, directory, event, identity, media  # noqa: F401
