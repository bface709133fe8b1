"""Site plumbing every page passes through, whatever app serves it: security headers and the content security
policy, the 503 page while the database is away and the other error pages, ``/healthz``, and the context every
template gets. Not an app: it has no models, templates or checks of its own."""
