"""Every write, one module per area: ``releases`` (saving, the workflow, translations, reverts, the cover),
``attachments`` (describing and removing photos and documents), ``embargo_links`` and ``trash``.

Each write is a keyword-only function that runs in one transaction and records an audit entry; permission
checks belong to the caller (``events.permissions``), the rules that hold whoever calls are enforced here.
Import the function from the module that owns it.
"""
