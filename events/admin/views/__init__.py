"""The editorial screens inside the admin, one module per screen.

``EventAdmin`` wires them into its URLs through ``admin_site.admin_view`` (staff login); each view then asks
``events.permissions`` and answers 403 when the user's role does not allow the step.
"""
