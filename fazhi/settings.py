"""Settings for Fazhi.

Everything that differs between machines comes from the environment:
- FAZHI_ENV: ``production`` (default), ``demo`` or ``test``.
- DJANGO_SECRET_KEY: required in production.
- DJANGO_DEBUG: ``1`` turns DEBUG on; refused in production.
- DATABASE_URL: PostgreSQL in production (``postgres://…``); SQLite file under var/ otherwise.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("FAZHI_VAR_DIR", PROJECT_DIR / "var"))

FAZHI_ENV = os.environ.get("FAZHI_ENV", "production")
if FAZHI_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"FAZHI_ENV 取值无效：{FAZHI_ENV!r}（应为 production、demo 或 test）")

_DEFAULT_SECRET = "fazhi-insecure-default-secret-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", _DEFAULT_SECRET)
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"

if FAZHI_ENV == "production":
    # 等保2.0: production must not leak stack traces or run with a known key.
    if DEBUG:
        raise ImproperlyConfigured("生产环境禁止开启 DEBUG（DJANGO_DEBUG=1），系统拒绝启动。")
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("生产环境必须通过 DJANGO_SECRET_KEY 设置至少 32 位的随机密钥，系统拒绝启动。")

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if FAZHI_ENV == "test":
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "ninja",
    "fazhi.core",
    "fazhi.reconsideration",
    "fazhi.litigation",
    "fazhi.enforcement",
    "fazhi.returns",
    "fazhi.reports",
    "fazhi.benchmark",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fazhi.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fazhi.core.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "fazhi.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fazhi.urls"
WSGI_APPLICATION = "fazhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fazhi.core.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("FAZHI_SQLITE_PATH", str(VAR_DIR / "fazhi.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock at BEGIN, so concurrent writers queue
                # instead of failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Passwords (等保2.0 三级: 口令复杂度; OWASP ASVS V2) ----------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fazhi.core.security.ComplexityValidator"},
]
if FAZHI_ENV == "test":
    # Tests create many users; argon2 is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"] + PASSWORD_HASHERS

# --- Lockout (django-axes) ---------------------------------------------------
AXES_FAILURE_LIMIT = int(os.environ.get("FAZHI_LOCKOUT_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("FAZHI_LOCKOUT_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The Chinese lock page with the time the lock ends (core/locked_out.html).
AXES_LOCKOUT_CALLABLE = "fazhi.core.security.lockout_response"
AXES_VERBOSE = False
# Lock the account, not the address: a whole 委办局 often sits behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Sessions and cookies ----------------------------------------------------
SESSION_COOKIE_AGE = int(os.environ.get("FAZHI_SESSION_IDLE_SECONDS", "1800"))  # idle timeout
SESSION_SAVE_EVERY_REQUEST = True  # sliding window: the age counts from the last request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = FAZHI_ENV == "production" and os.environ.get("FAZHI_HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
CSRF_FAILURE_VIEW = "fazhi.core.views.errors.csrf_failure"

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Cache ----------------------------------------------------------------------
# Rate limits of the public pages live in the cache: it must be shared by every worker process
# of the server, so it is a directory under var/ (no extra service); tests use process memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"} if FAZHI_ENV == "test"
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache" / "django"), "OPTIONS": {"MAX_ENTRIES": 20000}}
    )
}

# --- Static and uploaded files -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = FAZHI_ENV != "production"
WHITENOISE_AUTOREFRESH = FAZHI_ENV != "production"
if FAZHI_ENV == "test":
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

FAZHI_UPLOAD_MAX_BYTES = int(os.environ.get("FAZHI_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Reconsideration and other modules read their settings from here.
FAZHI_DEMO_PASSWORD = "Yunxi@2026demo"

# 行政复议法 Art. 55 is silent on how the trial clock runs after a simplified case is converted to
# the ordinary procedure (statutory-rules.md §8 item 2): "from_acceptance" (the common reading,
# default) or "from_conversion".
FAZHI_RECONSIDERATION_CONVERSION_CLOCK = os.environ.get("FAZHI_RECONSIDERATION_CONVERSION_CLOCK", "from_acceptance")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"fazhi": {"level": "INFO"}, "django.request": {"level": "ERROR"}},
}
