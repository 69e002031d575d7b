"""Settings, all read from the environment (see the README's configuration table).

With no variables at all the portal runs for development: DEBUG on, an SQLite file, a
local-memory cache and the embedded PostHog sandbox. Malformed values stop start-up with a
message that names the variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.csp import CSP

from adminui.accounts.oidc_config import (
    authentication_backends,
    form_action_sources,
    read_oidc_config,
)
from adminui.env import (
    env_bool,
    env_choice,
    env_duration,
    env_float,
    env_int,
    env_list,
    env_secret,
    env_secret_url,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

_secret_key = env_secret("SECRET_KEY")
DEBUG = env_bool("DEBUG", default=not _secret_key)
if not _secret_key and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off.")
# The development fallback is only ever used with DEBUG on.
SECRET_KEY = _secret_key or "django-insecure-adminui-development-only-key-do-not-deploy"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "adminui",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "adminui.ops",
    "axes",
]

MIDDLEWARE = [
    # First, so its JSON line times everything and its request id is set for all that follows.
    "adminui.ops.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Production's static files, precompressed (brotli/gzip) and cached forever by their hashed
    # names, before anything slow; in DEBUG, runserver serves them as they are.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    # HTML compression; BREACH is considered in the README ("Production").
    "django.middleware.gzip.GZipMiddleware",
    "adminui.web.budget.PostHogBudgetMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "adminui.accounts.sessions.SessionLimitsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the login check: an environment hidden from the user is a 404, whatever the method.
    "adminui.web.roles.HiddenEnvironmentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "adminui.web.responses.VaryOnHtmxMiddleware",
    "adminui.web.toasts.HtmxMessagesMiddleware",
    "adminui.web.errors.PostHogErrorMiddleware",
    "adminui.web.errors.NotFoundPageMiddleware",
    "adminui.web.errors.MethodNotAllowedPageMiddleware",
    # Last, as axes asks: turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adminui.urls"
WSGI_APPLICATION = "adminui.wsgi.application"

# Form fields render with templates/forms/field.html (`as_field_group`), not hand-written markup.
FORM_RENDERER = "adminui.web.forms.PortalFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "adminui.web.context_processors.portal",
                "adminui.environments.switcher.environment_switcher",
            ],
            # Template tags live with the area that uses them, not in a flat templatetags/.
            "libraries": {
                "portal": "adminui.web.templatetags",
                "integration_tags": "adminui.integrations.templatetags",
            },
        },
    },
]

# Database: an SQLite file unless DATABASE_URL names PostgreSQL.
_database_url = env_str("DATABASE_URL")
if _database_url:
    if not _database_url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or postgresql:// URL.")
    # Health checks: a connection broken by a database restart is replaced, not reused.
    DATABASES = {
        "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "var" / "db.sqlite3"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20},
            # Tests use an in-memory database, which one live server shares across its threads;
            # `make resilience` sends concurrent requests, so it names a file instead.
            "TEST": {"NAME": env_str("TEST_DATABASE_FILE") or None},
        }
    }
    (BASE_DIR / "var").mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory unless CACHE_URL names Redis (Django's Redis backend, made to ride out a
# Redis outage as cache misses: see adminui/ops/cache.py).
_cache_url = env_url("CACHE_URL", schemes=("redis", "rediss"))
CACHES = {
    "default": (
        {
            "BACKEND": "adminui.ops.cache.ResilientRedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions (and the messages kept in them) are shared by every instance: in the database, read
# through Redis when there is one.
# How long the lists (keys, evaluations, integrations) re-filter a copy of PostHog's answer before
# reading PostHog again; the portal's own writes drop the copy at once (adminui/web/listcopy.py).
LIST_CACHE_MAX_AGE = env_duration("LIST_CACHE_MAX_AGE", "30s")
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _cache_url
    else "django.contrib.sessions.backends.db"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes, counted in the database so it holds across instances): after
# LOGIN_FAILURE_LIMIT failed logins an account, and separately an address, is locked for
# LOGIN_LOCKOUT_MINUTES (each further failure restarts the wait), or until an Admin unlocks it.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "adminui.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "adminui.accounts.throttle.client_address"
AXES_ENABLE_ADMIN = False  # registered on the portal's own admin site instead (adminui/admin.py)
AXES_VERBOSE = False
# Behind a reverse proxy every client has the proxy's address: count failures against the
# address the proxy saw (the last X-Forwarded-For entry) instead. Only with a proxy that sets it.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# A login ends after SESSION_IDLE_TIMEOUT without a request, and SESSION_MAX_AGE after it began
# however active (adminui/accounts/sessions.py); the cookie expires with it.
SESSION_IDLE_TIMEOUT = env_duration("SESSION_IDLE_TIMEOUT", "4h")
SESSION_MAX_AGE = env_duration("SESSION_MAX_AGE", "12h")
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE.total_seconds())

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Single sign-on with OpenID Connect when OIDC_ISSUER is set (README: "Single sign-on"); the
# password form stays for a break-glass admin unless LOCAL_LOGIN is off.
OIDC = read_oidc_config()
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
AUTHENTICATION_BACKENDS = authentication_backends(OIDC, LOCAL_LOGIN)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves hashed names (cached forever) with brotli and gzip copies made by
# collectstatic; development serves the files as they are, without a collectstatic step.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Security. Cookies are secure and HSTS is on whenever DEBUG is off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Load balancers and probes ask for these over plain HTTP, straight at the instance.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: htmx's own inline indicator style is switched off in
# base.html and its CSS ships in app.css.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # Forms post to the portal only. Signing in with OIDC starts from a GET link, but logging out
    # is a form whose answer may redirect to the identity provider, so its origin is allowed. The
    # connect page adds PostHog and the OAuth providers (adminui/integrations/destinations.py).
    "form-action": form_action_sources(OIDC),
}

# PostHog: one environment from the POSTHOG_* variables (without POSTHOG_HOST, the embedded
# sandbox; see `make run`), or several, each with its own host and key, from the environments
# file (README, "Environments file"). The file replaces the one environment the variables make,
# so setting both is refused rather than one silently ignored.
ADMINUI_ENVIRONMENTS_FILE = env_str("ADMINUI_ENVIRONMENTS_FILE")
SINGLE_ENVIRONMENT_VARIABLES = (
    "POSTHOG_HOST", "POSTHOG_PROJECT_ID", "POSTHOG_PERSONAL_API_KEY",
    "POSTHOG_PERSONAL_API_KEY_FILE", "POSTHOG_ENVIRONMENT_NAME",
)  # fmt: skip
if ADMINUI_ENVIRONMENTS_FILE and (
    single := [v for v in SINGLE_ENVIRONMENT_VARIABLES if env_str(v)]
):
    raise ImproperlyConfigured(
        f"ADMINUI_ENVIRONMENTS_FILE and {', '.join(single)} are both set: the environments file "
        "defines every environment, so unset the POSTHOG_* variables it replaces."
    )
SANDBOX_PORT = env_int("SANDBOX_PORT", 8001, minimum=1)
POSTHOG_HOST = env_url("POSTHOG_HOST")
POSTHOG_SANDBOX = not POSTHOG_HOST
if POSTHOG_SANDBOX:
    from adminui.demo_project import DEMO_PERSONAL_API_KEY, DEMO_PROJECT_ID

    POSTHOG_HOST = f"http://127.0.0.1:{SANDBOX_PORT}"
    POSTHOG_PERSONAL_API_KEY = DEMO_PERSONAL_API_KEY
    POSTHOG_PROJECT_ID = DEMO_PROJECT_ID
else:
    POSTHOG_PERSONAL_API_KEY = env_secret("POSTHOG_PERSONAL_API_KEY")
    if not POSTHOG_PERSONAL_API_KEY:
        raise ImproperlyConfigured(
            "POSTHOG_PERSONAL_API_KEY (or POSTHOG_PERSONAL_API_KEY_FILE) is required "
            "when POSTHOG_HOST is set."
        )
    POSTHOG_PROJECT_ID = env_int("POSTHOG_PROJECT_ID", 0, minimum=1)
    if not POSTHOG_PROJECT_ID:
        raise ImproperlyConfigured("POSTHOG_PROJECT_ID is required when POSTHOG_HOST is set.")
# auto follows PostHog from the deprecated /api/environments/ alias to /api/projects/ when PostHog
# announces it (docs/posthog-contract.md §1.1); environments or projects pin the prefix.
POSTHOG_API_PREFIX = env_choice("POSTHOG_API_PREFIX", "auto", ("auto", "environments", "projects"))
POSTHOG_ENVIRONMENT_NAME = env_str(
    "POSTHOG_ENVIRONMENT_NAME", "Sandbox" if POSTHOG_SANDBOX else f"Project {POSTHOG_PROJECT_ID}"
)
POSTHOG_CONNECT_TIMEOUT = env_float("POSTHOG_CONNECT_TIMEOUT", 3.05)
POSTHOG_READ_TIMEOUT = env_float("POSTHOG_READ_TIMEOUT", 15.0)
# The production server's worker timeout (deploy/gunicorn.conf.py reads the same variable): a
# web request's PostHog calls all end within POSTHOG_WEB_BUDGET, below it, so the page can say
# PostHog did not answer in time before the worker is killed (adminui/web/budget.py).
WEB_TIMEOUT = env_float("WEB_TIMEOUT", 120.0, minimum=1.0)
POSTHOG_WEB_BUDGET = env_float("POSTHOG_WEB_BUDGET", max(1.0, WEB_TIMEOUT - 10.0))
if POSTHOG_WEB_BUDGET >= WEB_TIMEOUT:
    raise ImproperlyConfigured(
        f"POSTHOG_WEB_BUDGET ({POSTHOG_WEB_BUDGET:g} s) must be below WEB_TIMEOUT "
        f"({WEB_TIMEOUT:g} s), or the server kills requests before they can answer."
    )
# Creating or validating a key, and summaries, make PostHog call an LLM provider. Within the
# web budget by default; background tasks (summaries) have no budget but this timeout.
POSTHOG_LLM_READ_TIMEOUT = env_float(
    "POSTHOG_LLM_READ_TIMEOUT", max(1.0, min(90.0, POSTHOG_WEB_BUDGET - POSTHOG_CONNECT_TIMEOUT))
)

# The environments file, read here so a bad file stops every process at start-up; sandbox mode
# (demo accounts) holds only while every environment is the local sandbox.
if ADMINUI_ENVIRONMENTS_FILE:
    from adminui.posthog.environment_file import GlobalSettings, load_environments_file

    _file_environments = load_environments_file(
        ADMINUI_ENVIRONMENTS_FILE,
        GlobalSettings(
            api_prefix=POSTHOG_API_PREFIX,
            connect_timeout=POSTHOG_CONNECT_TIMEOUT,
            read_timeout=POSTHOG_READ_TIMEOUT,
            llm_read_timeout=POSTHOG_LLM_READ_TIMEOUT,
            sandbox_url=POSTHOG_HOST,  # here always the local sandbox's address
        ),
    )
    POSTHOG_SANDBOX = all(environment.sandbox for environment in _file_environments)
    del _file_environments

# Background tasks (AI evaluation summaries) with Django's tasks framework. The default queues
# them in the database for the worker that `make run` starts (`manage.py worker`);
# `immediate` runs them inside the web request instead (no worker; for development only).
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS[env_choice("TASKS_BACKEND", "database", tuple(_TASK_BACKENDS))]
    }
}

# Keys older than this many days get a rotation reminder.
KEY_ROTATION_DAYS = env_int("KEY_ROTATION_DAYS", 90, minimum=1)

# Alerts (README: "Alerts"): where notifications go, unless an environment overrides it in the
# environments file. Webhook URLs are secrets too (adminui/alerts/channels.py keeps them out
# of logs and pages).
ALERT_EMAIL_TO = env_list("ALERT_EMAIL_TO", [])
for _address in ALERT_EMAIL_TO:
    try:
        validate_email(_address)
    except ValidationError:
        raise ImproperlyConfigured(
            f"ALERT_EMAIL_TO must be comma-separated email addresses; {_address!r} is not one."
        ) from None
ALERT_SLACK_WEBHOOK_URL = env_secret_url("ALERT_SLACK_WEBHOOK_URL")
ALERT_WEBHOOK_URL = env_secret_url("ALERT_WEBHOOK_URL")
ALERT_WEBHOOK_SECRET = env_secret("ALERT_WEBHOOK_SECRET")
if ALERT_WEBHOOK_URL and not ALERT_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET (or ALERT_WEBHOOK_SECRET_FILE) to sign "
        "what it sends."
    )
# More alerts than this opening (or resolving) in one sweep go out as one digest.
ALERT_DIGEST_THRESHOLD = env_int("ALERT_DIGEST_THRESHOLD", 3, minimum=1)
# A failed notification is tried again after ALERT_RETRY_BACKOFF seconds, doubling each time.
ALERT_NOTIFY_ATTEMPTS = env_int("ALERT_NOTIFY_ATTEMPTS", 5, minimum=1)
ALERT_RETRY_BACKOFF = env_float("ALERT_RETRY_BACKOFF", 30.0)
# An Admin's test notification waits this long in all for its channels (it runs in the request).
ALERT_TEST_TIMEOUT = 8.0
# The portal's public address, for links in notifications.
ADMINUI_BASE_URL = env_url(
    "ADMINUI_BASE_URL",
    "http://127.0.0.1:8000" if DEBUG else (CSRF_TRUSTED_ORIGINS[:1] or [""])[0],
)
# Email for ALERT_EMAIL_TO: Django's SMTP mailer, configured by the usual EMAIL_* variables.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25, minimum=1),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_secret("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "adminui@localhost")
# Key health (adminui/keys/sweep.py): `manage.py scheduler` queues a sweep of every key every
# KEY_CHECK_INTERVAL_HOURS (first one KEY_CHECK_FIRST_DELAY_SECONDS after it starts), pausing a
# random 0..KEY_CHECK_SPREAD_SECONDS between keys; keys validated through the portal within
# KEY_CHECK_SKIP_MINUTES are skipped; PostHog's Retry-After is waited up to the cap.
KEY_CHECK_INTERVAL_HOURS = env_float("KEY_CHECK_INTERVAL_HOURS", 6.0)
KEY_CHECK_FIRST_DELAY_SECONDS = env_int("KEY_CHECK_FIRST_DELAY_SECONDS", 60)
KEY_CHECK_SPREAD_SECONDS = env_int("KEY_CHECK_SPREAD_SECONDS", 10)
KEY_CHECK_SKIP_MINUTES = env_int("KEY_CHECK_SKIP_MINUTES", 30)
KEY_CHECK_MAX_WAIT_SECONDS = env_int("KEY_CHECK_MAX_WAIT_SECONDS", 120)
# django-crontask's Redis lock stays off (no CRONTASK["REDIS_URL"]): it stops the scheduler
# whenever Redis restarts. Several schedulers are safe without it: each queues the sweep, and the
# sweep's lease in the database lets one run (adminui/keys/lease.py).

# `json`: one JSON object a line (production default), `text` for people (the DEBUG default).
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
# Error reports (the debug page, error emails) hide webhook and other URL settings too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "adminui.ops.errors.SecretSettingsFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "adminui.posthog.redaction.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "adminui.ops.logs.json_formatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_secrets"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own handlers print without the redacting filter: drop them, so its records
    # reach the root's redacting handler like everyone else's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # The scheduler says "executed successfully" for its lock's refresh every 5 s.
        "apscheduler": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}
