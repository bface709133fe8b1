"""Settings shared by every environment. Values that differ per deployment come from the environment."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from .env import (
    cache_from_env,
    database_from_env,
    env_bool,
    env_int,
    env_list,
    env_str,
    media_origins,
    media_storage_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "events.apps.EventsConfig",
    # E-mail alerts for readers (subscribe, confirm, manage, sending); builds on events, never imported by it.
    "subscriptions.apps.SubscriptionsConfig",
    # The press list of accredited journalists and what each was sent (builds on events and subscriptions).
    "presslist.apps.PressListConfig",
    # Sign-in: the two-factor login, backup codes, login throttling, the admin site (cso_press/accounts/).
    "cso_press.accounts.apps.AccountsConfig",
    # django.contrib.admin, with the site above as its default: a login that asks for an authenticator code.
    "cso_press.accounts.admin_config.PressAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "django_countries",
    "django_prose_editor",
    "simple_history",
    "csp",
    # The sign-in libraries, under readable names in the admin (cso_press/accounts/apps.py).
    "cso_press.accounts.apps.SignInAttemptsConfig",
    "django_otp",
    "cso_press.accounts.apps.AuthenticatorAppsConfig",
    "cso_press.accounts.apps.StaticCodesConfig",
]

MIDDLEWARE = [
    # Outermost: the request id, the access log line and the metrics cover everything below, cached pages too.
    "cso_press.web.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers get whole pages from the cache; everything below runs only on a miss, and what it
    # adds to a response (ETag, CSP and the other headers) is stored with the page.
    "events.page_cache.AnonymousPageCacheMiddleware",
    # ETag on every page and feed, and 304 for a matching If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    "cso_press.web.middleware.SecurityHeadersMiddleware",
    "cso_press.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Innermost, so that a lost database connection anywhere above the view still ends as a plain 503 page.
    "cso_press.web.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cso_press.urls"
WSGI_APPLICATION = "cso_press.wsgi.application"
ASGI_APPLICATION = "cso_press.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cso_press.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(str(BASE_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": cache_from_env(),
    # Page chrome (header, navigation, footer) rendered once per process, language and page type: it holds no
    # content, only translations and routes, which change with a deployment (and so a new process).
    "chrome": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chrome", "TIMEOUT": None},
    # A copy in each process of the values public pages keep per content version (events.page_cache.remembered_here:
    # rows, a release's article, list keys), so a page does not pay a Redis round trip for each. Bounded: at most
    # 500 values (a few MB) per process, a third of them dropped when it is full.
    "here": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "here",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
# Anonymous page cache (events/page_cache.py): how long a page may be reused at most (0 turns it off), and
# how long browsers and CDNs may keep it. Both are cut short by the next scheduled publication.
CSO_PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 300)
CSO_BROWSER_CACHE_SECONDS = env_int("DJANGO_BROWSER_CACHE_SECONDS", 60)
# What a request gets while the database is unreachable (a plain 503 page); the page cache in events asks the
# project through this setting, the outage middleware calls it directly.
CSO_DATABASE_OUTAGE_RESPONSE = "cso_press.web.errors.database_outage_response"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English and Russian interface, content in either language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Media on local disk (MEDIA_ROOT) or, with DJANGO_STORAGE=s3, in an S3-compatible bucket (README, "Storage").
STORAGES = {
    "default": media_storage_from_env(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"
# Where the admin lives; change it to keep bots away from the login page.
CSO_ADMIN_PATH = env_str("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Phone numbers typed without a country code are read as numbers of this region.
PHONE_DEFAULT_REGION = env_str("DJANGO_PHONE_DEFAULT_REGION", "RU")

# Uploads.
CSO_MAX_UPLOAD_BYTES = env_int("DJANGO_MAX_UPLOAD_MB", 40) * 1024 * 1024
CSO_SERVE_ORIGINAL_PHOTOS = env_bool("DJANGO_SERVE_ORIGINAL_PHOTOS", False)
# A release photo larger than this is refused at upload, from its header (Pillow's own bomb limit is 89.5 MP).
CSO_MAX_PHOTO_PIXELS = env_int("DJANGO_MAX_PHOTO_PIXELS", 89_478_485)
# Let Django itself serve MEDIA_URL (the demo and page checks); production leaves this to the web server.
CSO_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", False)
# Folders of MEDIA_ROOT the public may fetch at MEDIA_URL (the directory's portraits and logos). A release's
# photos and documents live under "private/" and are served only through the checked /files/ view.
CSO_PUBLIC_MEDIA_FOLDERS = ("people/", "logos/")
# When set (e.g. "/_protected_media/"), the checked file views answer with X-Accel-Redirect to this prefix
# plus the stored name and let the web server send the bytes (an nginx `internal` location over MEDIA_ROOT).
CSO_MEDIA_ACCEL_PREFIX = env_str("DJANGO_MEDIA_ACCEL_PREFIX", "")
# How long browsers and shared caches may keep a public release's file (its address changes with its content;
# a withdrawn release's files may stay in such caches this long).
CSO_MEDIA_CACHE_SECONDS = env_int("DJANGO_MEDIA_CACHE_SECONDS", 3600)

# The office's name until an administrator sets it in the admin (events.models.SiteIdentity), per language.
CSO_SITE_NAME = env_str("DJANGO_SITE_NAME", "Press Office")
CSO_SITE_NAME_RU = env_str("DJANGO_SITE_NAME_RU", "Пресс-служба")
CSO_SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by cso_press.web.middleware.SecurityHeadersMiddleware: the site needs none of these browser features.
CSO_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

# Content-Security-Policy for every page: no inline script or style anywhere on the public site, nothing
# loaded from other hosts. Applied in every environment so that the tests see what production sends.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        # A bucket (or its CDN) holding the media: photos load from there (/files/ redirects to it).
        "img-src": [SELF, *media_origins(STORAGES["default"])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Added to the policy on admin pages only (cso_press.web.middleware.ContentSecurityPolicyMiddleware). The rich-text
# editor needs its import map, an inline <script>, which gets a per-request nonce; the admin's own templates
# and widgets still write a few style attributes, so styles (never scripts) may be inline there.
CSO_ADMIN_CSP_UPDATE = {
    "script-src": [NONCE],
    "style-src": [UNSAFE_INLINE],
}

# Login throttling (django-axes): after this many failures for one user name from one address, that pair is
# locked out for the cool-off time. Locking by user name alone at that low number would let anyone lock an
# editor out, so the account as a whole is locked only at the higher CSO_LOGIN_ACCOUNT_FAILURE_LIMIT (failures
# from all addresses within the cool-off time), which stops guessing spread over many addresses.
AUTHENTICATION_BACKENDS = [
    "cso_press.accounts.auth_backends.LoginAttemptsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A locked-out sign-in gets the same page as any failed one (cso_press.accounts.auth_backends.locked_out_response).
AXES_LOCKOUT_CALLABLE = "cso_press.accounts.auth_backends.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "cso_press.accounts.auth_backends.client_ip"
AXES_VERBOSE = False
CSO_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
# How many reverse proxies in front of the site append to X-Forwarded-For (0: use the socket's address), and
# the addresses or networks those proxies connect from. When addresses are listed, X-Forwarded-For is read
# only from requests that come from one of them; `check --deploy` warns when a count is set without them.
CSO_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
CSO_TRUSTED_PROXY_ADDRESSES = env_list("DJANGO_TRUSTED_PROXY_ADDRESSES", [])

# Two-factor login (django-otp, TOTP). Members of these groups (and superusers, if the flag is on) must enter
# a code from their authenticator app to reach the admin; everyone else may add a device but need not.
CSO_REQUIRE_2FA_GROUPS = env_list("DJANGO_REQUIRE_2FA_GROUPS", [])
CSO_REQUIRE_2FA_SUPERUSERS = env_bool("DJANGO_REQUIRE_2FA_SUPERUSERS", False)
OTP_TOTP_ISSUER = env_str("DJANGO_SITE_NAME", "Press Office")

# Deleted events stay restorable from the admin's "Recently deleted" list for this many days.
CSO_TRASH_DAYS = env_int("DJANGO_TRASH_DAYS", 30)

# Log lines go to standard error, one JSON object per line (DJANGO_LOG_FORMAT=json, the production default) or
# readable text (dev and tests): time, level, logger, message, request id, staff user id, and for the access line
# of each request (logger cso_press.request) the URL name, status, method, path and duration
# (cso_press/web/logging.py, docs/observability.md). Celery workers log the same way, with the task's name and id.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").strip().upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "cso_press.web.logging.JsonFormatter"},
        "text": {"()": "cso_press.web.logging.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own "Not Found: /…" warnings repeat what the access line says; its errors (with the exception) stay.
    "loggers": {"django.request": {"level": "ERROR"}},
}

# ----------------------------------------------------------------------------------------------------------
# Background work: Celery (cso_press/celery.py reads every CELERY_* name below; README "Background work").
# ----------------------------------------------------------------------------------------------------------
# The broker is the Redis the site already uses for its cache unless CELERY_BROKER_URL names another one;
# RabbitMQ needs nothing but its address (amqp://guest:guest@127.0.0.1:5672//). With no broker at all, the
# dev and test settings run tasks in-process (CELERY_TASK_ALWAYS_EAGER), so `make demo` needs only Python.
_CACHE_REDIS_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", _CACHE_REDIS_URL if _CACHE_REDIS_URL.startswith(("redis://", "rediss://")) else ""
)
CELERY_TASK_ALWAYS_EAGER = False
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis has no acknowledgements of its own: a task taken but not acknowledged within this time (its
        # worker died) is handed out again. It must stay above the hard time limit, or a slow task runs twice.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        # Lets several sites (or test runs) share one Redis without seeing each other's queues.
        "global_keyprefix": env_str("CELERY_BROKER_KEY_PREFIX", ""),
    }
# Three queues, chosen by the task's name, so that a slow mail server never delays photo renditions:
# "media.*" tasks go to `media`, "mail.*" to `mail`, everything else to `default`.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"media.*": {"queue": "media"}, "mail.*": {"queue": "mail"}}
# A task is acknowledged once it has finished, and handed out again if its worker dies in the middle: every
# task is written to be run twice safely. One task at a time per process, so none waits behind a slow one.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Tasks record what they did in the database (and the log); nothing waits for a return value.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# Image work grows a process; a fresh one now and then gives the memory back.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Files no record refers to are deleted by the periodic sweep only once they are this old, so an upload whose
# record is not yet committed is never touched (events.tasks.sweep_orphan_files, manage.py find_orphan_files).
CSO_ORPHAN_FILE_GRACE_MINUTES = env_int("DJANGO_ORPHAN_FILE_GRACE_MINUTES", 60)
# Unfinished uploads (events.tasks.sweep_unfinished_uploads): a photo still "processing" after this many
# minutes is sent to the workers again (its task or message was lost), and marked failed after that many tries;
# a failed photo stays for the editor to see (with its reason) for CSO_FAILED_PHOTO_DAYS, then goes with its files.
# STALE x MAX_ATTEMPTS (2 hours) must stay above the longest queue the media workers may have to work through:
# a photo still waiting in the queue that long would be marked failed (a resend of a waiting one is harmless).
CSO_PHOTO_PROCESSING_STALE_MINUTES = env_int("DJANGO_PHOTO_PROCESSING_STALE_MINUTES", 30)
CSO_PHOTO_PROCESSING_MAX_ATTEMPTS = env_int("DJANGO_PHOTO_PROCESSING_MAX_ATTEMPTS", 4)
CSO_FAILED_PHOTO_DAYS = env_int("DJANGO_FAILED_PHOTO_DAYS", 7)

# ----------------------------------------------------------------------------------------------------------
# Observability (docs/observability.md): /healthz, /readyz, /metrics, logs (LOGGING above), Sentry (prod.py).
# ----------------------------------------------------------------------------------------------------------
# The bearer token Prometheus sends to /metrics; without one the address answers 404. The metrics of all the
# processes of a host add up when PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself) names a folder
# they share; see the document for the gunicorn hook and the workers.
CSO_METRICS_TOKEN = env_str("DJANGO_METRICS_TOKEN", "")

# ----------------------------------------------------------------------------------------------------------
# E-mail: outgoing mail (alerts, the press list, confirmations) through Django's e-mail backend.
# ----------------------------------------------------------------------------------------------------------
# SMTP in production (EMAIL_HOST…); a provider through django-anymail by naming its backend, e.g.
# DJANGO_EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with its key in ANYMAIL_* variables.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Press Office <press@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# E-mail alerts (subscriptions/): confirmation links last this many days, unconfirmed addresses are deleted
# after it; an address that left every topic is erased this many days after leaving.
CSO_ALERTS_CONFIRM_DAYS = env_int("DJANGO_ALERTS_CONFIRM_DAYS", 7)
CSO_ALERTS_ERASE_AFTER_DAYS = env_int("DJANGO_ALERTS_ERASE_AFTER_DAYS", 28)

# ---- presslist: the press list (presslist/). E-mails per batch of the task mail.presslist_send; tries per
# e-mail before it is marked failed; days a journalist's personal embargo link lives after the embargo lifts
# (it then leads to the public page); the wait before retrying e-mails the SMTP server refused for a passing reason.
CSO_PRESSLIST_BATCH_SIZE = env_int("DJANGO_PRESSLIST_BATCH_SIZE", 50)
CSO_PRESSLIST_MAX_ATTEMPTS = env_int("DJANGO_PRESSLIST_MAX_ATTEMPTS", 3)
CSO_PRESSLIST_LINK_DAYS = env_int("DJANGO_PRESSLIST_LINK_DAYS", 30)
CSO_PRESSLIST_RETRY_SECONDS = env_int("DJANGO_PRESSLIST_RETRY_SECONDS", 30)
# A row still "sending" this many minutes after a worker took it lost its worker (maintenance sweep).
CSO_PRESSLIST_STALE_MINUTES = env_int("DJANGO_PRESSLIST_STALE_MINUTES", 15)

# ---- alerts: the readers' side of e-mail alerts (subscribe, confirm, manage, leave, bounces) ----
# A subscribe form accepted for one address this many times an hour (beyond it: the same answer, nothing sent),
# and from one client address this many times an hour (beyond it: 429). The client address is read the way
# login throttling reads it (behind the trusted proxies only).
CSO_ALERTS_ADDRESS_LIMIT = env_int("DJANGO_ALERTS_ADDRESS_LIMIT", 5)
CSO_ALERTS_CLIENT_LIMIT = env_int("DJANGO_ALERTS_CLIENT_LIMIT", 20)
CSO_CLIENT_IP_CALLABLE = AXES_CLIENT_IP_CALLABLE
# The provider's bounce and complaint webhooks (/anymail/<provider>/tracking/) are accepted only with this
# secret as HTTP basic auth ("user:password"); set it in production (anymail warns on every request without it).
ANYMAIL = {"WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET")}
INSTALLED_APPS = [*INSTALLED_APPS, "anymail"]

# ----------------------------------------------------------------------------------------------------------
# Shared HTTP cache (events/page_cache.py, events/cache_invalidation.py): anonymous public pages carry
# `s-maxage` (never past the next scheduled publication) and their cache tags (Surrogate-Key, Cache-Tag). A
# shared cache may serve a page this much longer while it fetches a new one (not when a publication or
# midnight ends it). After a committed change the task `cache.purge_tags` sends the dropped tags, in a
# Surrogate-Key header, to each purge address (comma-separated), with this timeout in seconds per request.
CSO_SHARED_CACHE_STALE_SECONDS = env_int("DJANGO_SHARED_CACHE_STALE_SECONDS", 30)
CSO_CACHE_PURGE_URLS = env_list("DJANGO_CACHE_PURGE_URLS")
CSO_CACHE_PURGE_METHOD = env_str("DJANGO_CACHE_PURGE_METHOD", "PURGE")
CSO_CACHE_PURGE_TIMEOUT = env_int("DJANGO_CACHE_PURGE_TIMEOUT", 5)
# ---- sending: the engine that turns a public release into alert e-mails (subscriptions/sending.py) ----
# The periodic sweep announces releases that became public in the last this many hours (a scheduled one at its
# minute); older ones are never announced, so turning alerts on does not mail the whole archive.
CSO_ALERTS_LOOKBACK_HOURS = env_int("DJANGO_ALERTS_LOOKBACK_HOURS", 24)
# Messages per batch (one SMTP connection, one task), and how many batches of one release run side by side.
CSO_ALERTS_BATCH_SIZE = env_int("DJANGO_ALERTS_BATCH_SIZE", 100)
CSO_ALERTS_PARALLEL_BATCHES = env_int("DJANGO_ALERTS_PARALLEL_BATCHES", 4)
# The most messages per second one sending process hands to the mail server (0: no cap).
CSO_ALERTS_RATE_PER_SECOND = env_int("DJANGO_ALERTS_RATE_PER_SECOND", 50)
# A batch owns its rows this long; rows of a batch whose worker died are sent by another batch after it.
CSO_ALERTS_LEASE_SECONDS = env_int("DJANGO_ALERTS_LEASE_SECONDS", 300)
# A temporary refusal (4xx, lost connection) is tried again after 1, 2, 4… times this, at most this many times.
CSO_ALERTS_RETRY_SECONDS = env_int("DJANGO_ALERTS_RETRY_SECONDS", 60)
CSO_ALERTS_MAX_ATTEMPTS = env_int("DJANGO_ALERTS_MAX_ATTEMPTS", 6)
# Daily and weekly (Monday) digests go at this hour of each subscriber's own time zone.
CSO_ALERTS_DIGEST_HOUR = env_int("DJANGO_ALERTS_DIGEST_HOUR", 8)
