"""Pact settings, read from the environment.

With nothing set, Pact runs in *embedded mode*: an SQLite file under var/, background jobs run
in-process, e-mail printed to the console. Production sets DJANGO_ENV=production and the
variables below; it then refuses to start with a default secret key or DEBUG on.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEFAULT_SECRET_KEY = "embedded-mode-secret-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_flag("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

if PRODUCTION:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY set to a random value of 50 or more characters."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production refuses to run with DEBUG on.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production needs ALLOWED_HOSTS.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "cases",
    "letters",
    "contracts",
    "orders",
    "conduct",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cases.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which device, if any, verified this session's second step (reloaded each request, so a
    # device reset by the LA admin stops counting at once).
    "django_otp.middleware.OTPMiddleware",
    "cases.middleware.PrivatePagesMiddleware",
    "cases.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the session limits and the password: until the second step is done, every page
    # but signing out leads to it.
    "cases.two_step.TwoStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (a repeat is told so), around the view: one transaction a form.
    "cases.submissions.OneSubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so it sees the outcome of every sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "cases.context_processors.staff_role",
                "contracts.context_processors.la_queue",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'pact.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
EMBEDDED = DATABASES["default"]["ENGINE"].endswith("sqlite3")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first, as it requires: it refuses a locked-out sign-in before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Guardian: object permissions live in per-model tables with real foreign keys (see
# cases.models), never in the generic-key tables, which are slow and leave orphans.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Sign-in throttling: a whole school shares one public address, so lock by the pair of
# username and address, never by address alone (OWASP ASVS 5.0 V6.3).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_flag("AXES_ENABLED", default=True)
# Behind a reverse proxy the client's address is the entry the trusted proxy appended to
# X-Forwarded-For (cases.client_address); without it, every sign-in would come from the proxy
# and five wrong passwords from anywhere would lock that username for every school.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1" if PRODUCTION else "0"))
AXES_CLIENT_IP_CALLABLE = "cases.client_address.client_address"

# Two-step sign-in (django-otp; who must use it: cases.two_step). The issuer names Pact in
# the authenticator app's list, beside the username.
OTP_TOTP_ISSUER = "Pact"
# Codes are 6 digits, a new one every 30 seconds (what every authenticator app shows by
# default); one step either side is accepted for a phone's clock a little out (tolerance is
# set on each device, 1), and the device learns a steady offset (drift) from each good code.
OTP_TOTP_SYNC = True
# After each wrong code the next try waits twice as long as the last: 1, 2, 4, 8 ...
# seconds (the factor), per device. Ten wrong codes in a row cost over eight minutes, twenty
# about six days, so guessing one code in a million is hopeless; a person who mistypes waits
# a second or two. The password step before it keeps django-axes' lockout.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Where django-otp's own decorators send an unverified user (Pact's middleware does the same).
OTP_LOGIN_URL = "two-step-code"

# Sessions in the database; idle timeout 30 minutes, absolute lifetime 12 hours
# (OWASP ASVS 5.0 V7.3). The idle clock is kept by cases.middleware.SessionTimeoutMiddleware.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_IDLE_TIMEOUT = int(timedelta(minutes=30).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Messages ride in the session: no cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Collected only for production; elsewhere WhiteNoise serves straight from the finders.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", _NODE / "govuk-frontend" / "dist" / "govuk"),
    ("moj", _NODE / "@ministryofjustice" / "frontend" / "moj"),
    # MOJ Frontend's images are looked up beside GOV.UK Frontend's (one assets path in Sass).
    ("govuk/assets", _NODE / "@ministryofjustice" / "frontend" / "moj" / "assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Evidence uploads: never under STATIC or served by the web server; only the scoped download
# view reads them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "pact@localhost")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file a message.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
# Links in e-mails (reminders) point here: the address users reach Pact at.
PACT_BASE_URL = os.environ.get("PACT_BASE_URL", "http://127.0.0.1:8000")

# Celery: Redis broker; in embedded mode tasks run in-process, at once.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_flag(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Every task has a soft limit (the task is told, and can end cleanly) and a hard one (its
# worker process is replaced): a task stuck on one record never holds a worker for good.
# Tasks that need longer say so where they are defined.
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 150
# One static schedule, run by exactly one beat process.
CELERY_BEAT_SCHEDULE = {
    "verify-documents-nightly": {
        "task": "cases.tasks.verify_documents",
        "schedule": timedelta(days=1),
    },
    "complete-due-contracts-daily": {
        "task": "contracts.tasks.complete_due_contracts",
        "schedule": timedelta(days=1),
    },
    "requeue-waiting-letter-batches": {
        "task": "letters.tasks.requeue_waiting_batches",
        "schedule": timedelta(minutes=10),
    },
    "lapse-deadlines-hourly": {
        "task": "cases.tasks.lapse_deadlines",
        "schedule": timedelta(hours=1),
    },
    "complete-due-orders-daily": {
        "task": "orders.tasks.complete_due_orders",
        "schedule": timedelta(days=1),
    },
    "refresh-order-windows-daily": {
        "task": "orders.tasks.refresh_order_windows",
        "schedule": timedelta(days=1),
    },
    "requeue-waiting-evidence-packs": {
        "task": "orders.tasks.requeue_waiting_packs",
        "schedule": timedelta(minutes=10),
    },
    "list-disposals-nightly": {
        "task": "cases.tasks.list_disposals",
        "schedule": timedelta(days=1),
    },
    "forget-old-submission-keys-daily": {
        "task": "cases.tasks.forget_submission_keys",
        "schedule": timedelta(days=1),
    },
    "take-termly-returns-daily": {
        "task": "reporting.tasks.take_termly_returns",
        "schedule": timedelta(days=1),
    },
    # Daily; the process test runs it every few seconds to show a repeat sends nothing twice.
    "send-reminders-daily": {
        "task": "reporting.tasks.send_reminders",
        "schedule": timedelta(seconds=int(os.environ.get("PACT_REMINDERS_EVERY_SECONDS",
                                                         86400))),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports each step of every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Content security policy for every page (django-csp): scripts and styles only from Pact's own
# files, the one inline script by its per-request nonce, no plugins, no framing, forms posted
# only to Pact (OWASP ASVS 5.0 V3.4). The letter preview's frame inherits it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = int(timedelta(days=365).total_seconds())
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix: the browser keeps these cookies only as sent over HTTPS, for this
    # host alone and every path, so no other subdomain can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
