"""Django settings. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

from jingzhi.paths import data_dir, private_dir, private_file, sqlite_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    configured = os.environ.get("JINGZHI_SECRET_KEY") or os.environ.get("SECRET_KEY")
    if configured:
        return configured
    # The embedded mode keeps a generated key beside its database so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    try:
        key = key_file.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        try:
            private_dir(DATA_DIR)
            # Created 0600 from the start: never readable by others, not even for a moment.
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
        except OSError:
            pass
        return key
    with contextlib.suppress(OSError):  # a key file left 0644 by an older version
        key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("JINGZHI_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JINGZHI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("JINGZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "captcha",
    "csp",
    "jingzhi.core",
    "jingzhi.org",
    "jingzhi.taxonomy",
    "jingzhi.cases",
    "jingzhi.dispatch",
    "jingzhi.campaigns",
    "jingzhi.hotspots",
    "jingzhi.enterprises",
    "jingzhi.matching",
    "jingzhi.supplydemand",
    "jingzhi.earlywarning",

    "jingzhi.disputes",

    "jingzhi.knowledge",
    "jingzhi.web",
    "jingzhi.demo",
    "jingzhi.api",
    "jingzhi.metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jingzhi.core.middleware.AuditContextMiddleware",
    "jingzhi.api.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After authentication: it pins the signed-in user to the primary for a few seconds after a change.
    "jingzhi.core.middleware.ReadYourWritesMiddleware",
    "jingzhi.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "jingzhi.middleware.QueryGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jingzhi.web.signin.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jingzhi.web.signin.SignInGateMiddleware",
    "jingzhi.web.signin.FormStashMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingzhi.urls"
WSGI_APPLICATION = "jingzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jingzhi.web.context.navigation",
                "jingzhi.web.context.kept_form",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or sqlite_url(DATA_DIR),
        conn_max_age=int(os.environ.get("JINGZHI_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (web + embedded worker) share one file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=1073741824;", "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The SQLite file holds every requester's personal data: 0600 before SQLite first opens it (SQLite gives
    # its -wal and -shm files the same mode), and tightened if an older version left it readable.
    _db_name = str(DATABASES["default"]["NAME"])
    if _db_name and _db_name != ":memory:" and not _db_name.startswith("file:") and Path(_db_name).parent.is_dir():
        with contextlib.suppress(OSError):
            private_file(Path(_db_name))

# Reads on a second machine (issue 12, core/replicas.py, docs/scaling.md): dashboards, rankings, reports, exports and
# search may read from streaming replicas, comma-separated in JINGZHI_DATABASE_REPLICA_URLS (DATABASE_REPLICA_URL, the
# older single setting, still counts). Nothing is migrated there; a lagging or silent replica gets no reads.
_replica_urls = [u.strip() for u in os.environ.get("JINGZHI_DATABASE_REPLICA_URLS", os.environ.get("DATABASE_REPLICA_URL", "")).split(",") if u.strip()]
JINGZHI_REPLICA_ALIASES: list[str] = []
for _n, _url in enumerate(_replica_urls, start=1):
    _alias = f"replica{_n}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0))
    # A replica that does not answer must cost a page two seconds at most, then the primary serves.
    DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    JINGZHI_REPLICA_ALIASES.append(_alias)
JINGZHI_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("JINGZHI_REPLICA_MAX_LAG_SECONDS", "10"))
JINGZHI_REPLICA_CHECK_SECONDS = float(os.environ.get("JINGZHI_REPLICA_CHECK_SECONDS", "5"))
JINGZHI_READ_YOUR_WRITES_SECONDS = float(os.environ.get("JINGZHI_READ_YOUR_WRITES_SECONDS", "5"))
DATABASE_ROUTERS = ["jingzhi.core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# The password policy (等保 2.0 身份鉴别: 复杂度): called by every place a password is set (org.services.user_save,
# the change-password page, createadmin, imports, the demo loader).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("JINGZHI_PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "phone", "email")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jingzhi.org.passwords.CharacterClassesValidator",
     "OPTIONS": {"min_classes": int(os.environ.get("JINGZHI_PASSWORD_MIN_CLASSES", "3"))}},
]

# django-axes guards the sign-in forms (/login/ and /admin/login/): after JINGZHI_LOGIN_FAILURE_LIMIT wrong passwords
# the username+client pair is locked, and so is the client address on its own (password spraying: one guess
# for each of many users), for JINGZHI_LOGIN_COOLOFF_MINUTES. A username alone is never locked: one attacker
# could otherwise lock every known account out from anywhere. See docs/adr/012-sign-in-protection.md.
AUTHENTICATION_BACKENDS = [
    "jingzhi.org.signin_log.SignInGuardBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = _env_bool("JINGZHI_LOGIN_PROTECTION", True)
AXES_FAILURE_LIMIT = int(os.environ.get("JINGZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JINGZHI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Guessing on during a lockout does not extend it: the time the page promises is the time it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "jingzhi.org.signin_log.AuditingAxesHandler"
AXES_LOCKOUT_CALLABLE = "jingzhi.web.views.account.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The client address is REMOTE_ADDR unless the operator says how many proxies stand in front: a client could
# otherwise escape the lockout by sending a new X-Forwarded-For with every guess.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("JINGZHI_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
AXES_VERBOSE = False

# Sessions end after JINGZHI_SESSION_IDLE_MINUTES without a request and JINGZHI_SESSION_MAX_HOURS after sign-in,
# whichever comes first (web/signin.py SessionTimeoutMiddleware).
JINGZHI_SESSION_IDLE_MINUTES = int(os.environ.get("JINGZHI_SESSION_IDLE_MINUTES", "30"))
JINGZHI_SESSION_MAX_HOURS = int(os.environ.get("JINGZHI_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = JINGZHI_SESSION_MAX_HOURS * 3600

# Roles that must sign in with a second factor (TOTP), comma-separated: e.g. "admin,supervisor". Empty: off.
JINGZHI_REQUIRE_2FA_ROLES = [r.strip() for r in os.environ.get("JINGZHI_REQUIRE_2FA_ROLES", "").split(",") if r.strip()]
OTP_TOTP_ISSUER = os.environ.get("JINGZHI_OTP_ISSUER", "Jingzhi")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("JINGZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only for `collectstatic` behind a proxy; the embedded mode serves from the packages (below).
STATIC_ROOT = os.environ.get("JINGZHI_STATIC_ROOT") or None
# Serve straight from the installed packages: no collectstatic step for the embedded mode.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("JINGZHI_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"

# Uploaded attachments are personal data: readable by the service's user only (the CLI also sets umask 077).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The cache every process shares (rate-limit counters, DRF throttles, lockouts). Unset: the database cache, so
# the embedded mode needs no other server (its table is made by migration core 0003). redis://host:6379/0: Redis.
CACHE_URL = os.environ.get("JINGZHI_CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": os.environ.get("JINGZHI_CACHE_PREFIX", "jingzhi")}}
elif CACHE_URL:
    raise ValueError("JINGZHI_CACHE_URL must be empty (database cache) or a redis:// address")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "jingzhi_cache",
                          "KEY_PREFIX": os.environ.get("JINGZHI_CACHE_PREFIX", "jingzhi")}}


def _rates(name: str, default: str) -> list[str]:
    return [r.strip() for r in os.environ.get(name, default).split(",") if r.strip()]


# Rate limits of the anonymous doors (core/ratelimit.py): each door a list of "N/period" rates, all enforced.
JINGZHI_RATE_LIMITS = {
    # Every public lookup, per address.
    "public_lookup": _rates("JINGZHI_RATE_PUBLIC_LOOKUP", "10/min,50/hour"),
    # Failed lookups of one case number, from anywhere; past this the number is locked (next entry).
    "public_lookup_number": _rates("JINGZHI_RATE_PUBLIC_LOOKUP_NUMBER", "5/hour"),
    # Public submissions, per address.
    "public_submit": _rates("JINGZHI_RATE_PUBLIC_SUBMIT", "5/hour"),
    # Wrong API keys (REST and Open311), per address.
    "api_key_failure": _rates("JINGZHI_RATE_API_KEY_FAILURE", "20/min"),
}
# A case number past its failed-lookup limit is locked this long.
JINGZHI_PUBLIC_LOOKUP_LOCK_SECONDS = int(os.environ.get("JINGZHI_PUBLIC_LOOKUP_LOCK_SECONDS", "3600"))
# After this many submissions in the hour, one address must solve a CAPTCHA (0: always).
JINGZHI_PUBLIC_SUBMIT_CAPTCHA_AFTER = int(os.environ.get("JINGZHI_PUBLIC_SUBMIT_CAPTCHA_AFTER", "2"))
# How many proxies in front of us append to X-Forwarded-For (0: trust REMOTE_ADDR only).
# How many of our own proxies append to X-Forwarded-For: the one setting behind core.clientip (0: REMOTE_ADDR).
JINGZHI_PROXY_COUNT = int(os.environ.get("JINGZHI_PROXY_COUNT", "0"))

# The public form's CAPTCHA (django-simple-captcha): drawn locally with the package's own font.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"

# How often the scheduler enqueues the SLA sweep (seconds). The fault test (tests/test_fault_tolerance.py) lowers it.
JINGZHI_SLA_SWEEP_SECONDS = max(1, int(os.environ.get("JINGZHI_SLA_SWEEP_SECONDS", "300")))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("JINGZHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("JINGZHI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Behind a TLS-terminating proxy (JINGZHI_BEHIND_TLS_PROXY, or secure cookies, which only make sense there):
# trust its X-Forwarded-Proto and tell browsers to use HTTPS only (HSTS). The embedded mode on plain HTTP
# must not send HSTS, or a browser would refuse the intranet address afterwards.
BEHIND_TLS_PROXY = _env_bool("JINGZHI_BEHIND_TLS_PROXY", SESSION_COOKIE_SECURE)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("JINGZHI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("JINGZHI_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from this site or carrying the response's nonce; nothing
# from anywhere else (the site runs offline). Style *attributes* stay allowed: progress bars and charts set
# their width and height inline, and a style attribute cannot run script; <style> elements must be files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

JINGZHI = {
    # Public case numbers read TL20221215-000123: the prefix is the city's.
    "CASE_PREFIX": os.environ.get("JINGZHI_CASE_PREFIX", "TL"),
    # Delivery channels for notifications; each is a dotted path to a callable(notification).
    "NOTIFICATION_CHANNELS": ["jingzhi.core.notify.in_app"],
    # Early warning's SMS / voice gateway: a dotted path to send(*, phone, text, kind) (docs/earlywarning.md).
    # Kept for cities that configured it before the outbound gateway: its SMS and calls (core/gateway.py).
    "WARNING_GATEWAY": os.environ.get("JINGZHI_WARNING_GATEWAY", "jingzhi.earlywarning.gateway.logging_adapter"),
    # Every SMS, e-mail and voice call leaves through this class (docs/operations.md, ADR 026); the default logs.
    "OUTBOUND_GATEWAY": os.environ.get("JINGZHI_OUTBOUND_GATEWAY", "jingzhi.core.gateway.LoggingGateway"),
    # The in-app notification kinds that also go by SMS / e-mail to staff who chose so (the deadline notices).
    "OUTBOUND_STAFF_KINDS": ("reminder", "supervision", "flagged"),
}
# What one public submission may attach: number of files and their total size (each file: at most 10 MB).
JINGZHI_PUBLIC_UPLOAD_MAX_FILES = int(os.environ.get("JINGZHI_PUBLIC_UPLOAD_MAX_FILES", "5"))
JINGZHI_PUBLIC_UPLOAD_MAX_BYTES = int(os.environ.get("JINGZHI_PUBLIC_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# How often an open staff page asks for the unread count (the bell, static/jingzhi/bell.js), in seconds.
JINGZHI_NOTIFICATION_POLL_SECONDS = max(10, int(os.environ.get("JINGZHI_NOTIFICATION_POLL_SECONDS", "60")))
# What a unit may send with its reply (photos, PDF, Office documents): number of files, the size of each and of
# all together (keep the total under the proxy's client_max_body_size, docs/operations.md).
JINGZHI_REPLY_ATTACHMENTS = {
    "MAX_FILES": int(os.environ.get("JINGZHI_REPLY_ATTACHMENT_MAX_FILES", "5")),
    "MAX_BYTES": int(os.environ.get("JINGZHI_REPLY_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
    "MAX_TOTAL_BYTES": int(os.environ.get("JINGZHI_REPLY_ATTACHMENT_MAX_TOTAL_BYTES", str(18 * 1024 * 1024))),
}

# Audit rows are kept this many days; `jingzhi audit purge` never goes below 180 (等保 2.0).
JINGZHI_AUDIT_RETENTION_DAYS = int(os.environ.get("JINGZHI_AUDIT_RETENTION_DAYS", "180"))
# The key of the requester digests that let staff find cases by phone, ID number or name (core/lookup.py).
# Empty: derived from SECRET_KEY. After a change run `jingzhi manage rebuild_requester_digests`.
JINGZHI_LOOKUP_KEY = os.environ.get("JINGZHI_LOOKUP_KEY", "")


# What an uploaded spreadsheet (every import page and command) may hold; larger files are refused before
# they are loaded (core/spreadsheets.py import_limits).
JINGZHI_IMPORT = {
    "MAX_BYTES": int(os.environ.get("JINGZHI_IMPORT_MAX_BYTES", str(50 * 1024 * 1024))),
    "MAX_ROWS": int(os.environ.get("JINGZHI_IMPORT_MAX_ROWS", "50000")),
    "MAX_COLUMNS": int(os.environ.get("JINGZHI_IMPORT_MAX_COLUMNS", "200")),
    "MAX_UNCOMPRESSED_BYTES": int(os.environ.get("JINGZHI_IMPORT_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))),
    "MAX_MEMBER_BYTES": int(os.environ.get("JINGZHI_IMPORT_MAX_MEMBER_BYTES", str(40 * 1024 * 1024))),
    "MAX_COMPRESSION_RATIO": int(os.environ.get("JINGZHI_IMPORT_MAX_COMPRESSION_RATIO", "200")),
    "MAX_MEMBERS": int(os.environ.get("JINGZHI_IMPORT_MAX_MEMBERS", "1000")),
}

# The REST API (/api/v1/) and Open311 (/open311/v2/): see docs/api.md. Limits come from the environment.
JINGZHI_API = {
    "MAX_BODY_BYTES": int(os.environ.get("JINGZHI_API_MAX_BODY_BYTES", str(1024 * 1024))),
    # Multipart bodies with photos (an early-warning task's on-site report: 6 photos × 10 MB and the form's fields).
    "MAX_UPLOAD_BODY_BYTES": int(os.environ.get("JINGZHI_API_MAX_UPLOAD_BODY_BYTES", str(61 * 1024 * 1024))),
    "OPEN311_JURISDICTION": os.environ.get("JINGZHI_OPEN311_JURISDICTION", ""),
    "OPEN311_DEFAULT_DIVISION": os.environ.get("JINGZHI_OPEN311_DEFAULT_DIVISION", ""),
    # Which channels' cases the anonymous Open311 GETs show (their text and place become public).
    "OPEN311_FEED_CHANNELS": [c.strip() for c in os.environ.get("JINGZHI_OPEN311_FEED_CHANNELS", "open311").split(",") if c.strip()],
    "OPEN311_CHANGESET": "2026-11-25T00:00:00+08:00",
    "OPEN311_CONTACT": os.environ.get("JINGZHI_OPEN311_CONTACT", "12345"),
    "OPEN311_KEY_SERVICE": os.environ.get("JINGZHI_OPEN311_KEY_SERVICE", "Ask the hotline centre's administrator for an API key."),
    "OPEN311_ENDPOINT_TYPE": os.environ.get("JINGZHI_OPEN311_ENDPOINT_TYPE", "production"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jingzhi.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["jingzhi.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["jingzhi.api.throttling.AnonymousThrottle", "jingzhi.api.throttling.KeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("JINGZHI_API_RATE_ANON", "60/min"),
        "key": os.environ.get("JINGZHI_API_RATE_KEY", "600/min"),
    },
    "EXCEPTION_HANDLER": "jingzhi.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "jingzhi.api.schema.ProblemAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": JINGZHI_PROXY_COUNT or None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "精治 Jingzhi REST API",
    "DESCRIPTION": "Cases, their lifecycle actions, and reference data. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from our own static files (drf-spectacular-sidecar): works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "jingzhi.cases.models.Kind",
        "UnitKindEnum": "jingzhi.org.models.Unit.Kind",
        "ChannelEnum": "jingzhi.cases.models.Channel",
        "IntakeChannelEnum": "jingzhi.api.v1.serializers.INTAKE_CHANNELS",
        "CaseStatusEnum": "jingzhi.cases.models.Status",
        "CampaignKindEnum": "jingzhi.campaigns.models.Kind",
        "CampaignStatusEnum": "jingzhi.campaigns.models.CampaignStatus",
        "SubItemStatusEnum": "jingzhi.campaigns.models.SubItem.Status",
        "ProjectStageEnum": "jingzhi.campaigns.models.Stage",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JINGZHI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
