"""Observability that the settings may load (they sit below cso_press.web): the per-request context shared by
log lines and error reports, the trusted-proxy rule, and Sentry's set-up. docs/observability.md."""
