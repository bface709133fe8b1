"""Decoupled reactions to model changes (cache invalidation, file clean-up) are wired here."""
