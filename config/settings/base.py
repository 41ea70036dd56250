"""Settings shared by every environment; everything that differs comes from the environment."""

import datetime
import re
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The development key is public (it is in this file): good for DEBUG only. A process with
# DEBUG off (`make serve`, gunicorn) refuses to start with it, since sessions, password-reset
# links and signed values would be forgeable.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=True)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off and DJANGO_SECRET_KEY is not set: set a random key of 50+ characters "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or DJANGO_DEBUG=True for local development."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "orgs",
    "demands",
    "workflows",
    "workspace",
    "scoring",
    "webhooks",
    "notifications",
    "api",
]

MIDDLEWARE = [
    # Outermost, so that it sees every answer under /api/, Django's own error pages included.
    "api.middleware.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files under gunicorn, before anything that would touch the session or the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "orgs.middleware.PasswordChangeRequiredMiddleware",
    "orgs.middleware.WorkspaceLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspace.context_processors.todo",
            ],
        },
    },
]


def database(config: dict) -> dict:
    """A DATABASE_URL's configuration with this project's options for its engine."""
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue on
        # the busy timeout instead of one failing with "database is locked" on upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # Persistent connections under gunicorn (config/gunicorn.py sets 60 s); none by default,
        # so that tests and commands do not hold connections open.
        config.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
        config.setdefault("CONN_HEALTH_CHECKS", True)
        # The planner's cost of a random read, for SSD storage (PostgreSQL assumes spinning
        # disks: 4). At 4 the reviewer queue joins every process instead of looking up its
        # few hundred (45 ms against 6 ms at 560,000 tasks; docs/performance.md).
        cost = env.float("DB_RANDOM_PAGE_COST", default=1.1)
        config.setdefault("OPTIONS", {}).setdefault("options", f"-c random_page_cost={cost}")
    return config


# The embedded default is a SQLite file; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "orgs.backends.OrgRoleBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
# The mobile site as Vite builds it (`make mobile`): its assets are static files under
# STATIC_URL/mobile/, its index.html is answered by config.mobile. Until it is built, / says so.
MOBILE_DIST = BASE_DIR / "mobile" / "dist"
STATICFILES_DIRS = [("mobile", MOBILE_DIST)] if MOBILE_DIST.is_dir() else []


def immutable_file_test(path: str, url: str) -> bool:
    """Files whose names carry their content's hash, which browsers may keep for good:
    Vite's (mobile/assets/index-D1Ve43oT.js) and the manifest storage's (app.0123456789ab.css)."""
    return "/mobile/assets/" in url or re.match(r"^.+\.[0-9a-f]{12}\..+$", url) is not None


WHITENOISE_IMMUTABLE_FILE_TEST = immutable_file_test
# WhiteNoise serves STATIC_ROOT (filled by collectstatic) in every process that is not runserver,
# gzip-compressed; production settings add content-hashed names that browsers cache for good.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
(BASE_DIR / "var").mkdir(exist_ok=True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON by orjson (api/renderers.py: the same bytes, faster); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "api.filters.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exception_handlers.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
}

# The total of a list of at least `min_rows` rows is cached for `seconds` (api.pagination).
API_LIST_COUNT_CACHE = {
    "min_rows": env.int("API_LIST_COUNT_CACHE_MIN_ROWS", default=1000),
    "seconds": env.int("API_LIST_COUNT_CACHE_SECONDS", default=30),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "i志愿 供需服务平台 API",
    "DESCRIPTION": (
        "Client API v1 for volunteer orgs, league orgs and individuals. "
        "Errors are JSON `{code, detail, fields?}`; send `Accept-Language: en` for English."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package, served as our own static
    # files: /api/docs/ needs no CDN and fits the content security policy below.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_common_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DemandStatusEnum": "demands.models.DemandStatus",
        "ClaimStatusEnum": "workflows.models.ClaimStatus",
        "InitialDemandStatusEnum": "demands.models.InitialDemandStatus",
        "ServiceAreaEnum": "orgs.choices.ServiceArea",
        "ServiceObjectEnum": "orgs.choices.ServiceObject",
        "GuaranteeEnum": "demands.choices.Guarantee",
        "ZoneEnum": "demands.choices.Zone",
        "InitialDemandKindEnum": "demands.choices.InitialDemandKind",
        "VolunteerProfileKindEnum": ["volunteer"],
        "LeagueProfileKindEnum": ["league"],
    },
}

# Content-Security-Policy of every page (config/security.py), in the shape of Django 6.0's
# SECURE_CSP. Everything is served from this site: Viewflow's scripts, fonts and icons, Swagger
# UI (sidecar) and the mobile site's build are static files, and no page has an inline script.
# Styles may be inline: Viewflow's Material components, our templates and Vant use style
# attributes and blocks.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    # Material's and Swagger UI's stylesheets draw some icons as data: SVG images.
    "img-src": ["'self'", "data:"],
    # Vant's icon font is a data: URL inside its stylesheet (the mobile site).
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# seed_demo creates accounts whose passwords are printed: it runs with DEBUG on, or where
# ALLOW_DEMO_DATA=1 says so (a demo site). Production settings default it to off.
ALLOW_DEMO_DATA = env.bool("ALLOW_DEMO_DATA", default=DEBUG)

# API tokens expire this long after they were issued (401 `token_expired`; log in again).
API_TOKEN_TTL = datetime.timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=7 * 24))

# Idempotency-Key (api/idempotency.py): a key replays its first answer for this long, then a
# request with it runs as new; celery beat deletes older records hourly. A key still in flight
# after IDEMPOTENCY_IN_FLIGHT_TIMEOUT (well past GUNICORN_TIMEOUT) is taken to be abandoned by
# a killed worker, and the next request with it runs.
IDEMPOTENCY_TTL = datetime.timedelta(hours=env.int("IDEMPOTENCY_TTL_HOURS", default=24))
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = datetime.timedelta(
    minutes=env.int("IDEMPOTENCY_IN_FLIGHT_MINUTES", default=5)
)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Anonymous answers of the demand list and detail are kept this long in the default cache and
# may be kept as long by browsers and proxies (api/cache.py); a change to a demand replaces
# them at once where CACHE_URL is shared by every server process (Redis), else within this time.
API_ANON_CACHE_SECONDS = env.int("API_ANON_CACHE_SECONDS", default=15)

# SMS: the development backend appends one JSON line per message to SMS_OUTBOX_PATH.
SMS_BACKEND = env("SMS_BACKEND", default="orgs.sms.OutboxBackend")
SMS_OUTBOX_PATH = env.path("SMS_OUTBOX_PATH", default=BASE_DIR / "var" / "sms" / "outbox.jsonl")
# Limits on verification codes (orgs/sms.py), over the last hour or the last 24 hours; a phone
# also gets at most one code a minute. A person needs a code or two to set a mobile; a school
# or league office behind one address a few dozen a day. The platform-wide ceilings cap the
# bill and what a flood from many addresses can send; reaching one is logged as an error.
SMS_LIMITS = {
    "PER_PHONE_PER_DAY": env.int("SMS_PER_PHONE_PER_DAY", default=10),
    "PER_CLIENT_PER_HOUR": env.int("SMS_PER_CLIENT_PER_HOUR", default=20),
    "PER_CLIENT_PER_DAY": env.int("SMS_PER_CLIENT_PER_DAY", default=50),
    "ALL_PER_HOUR": env.int("SMS_ALL_PER_HOUR", default=300),
    "ALL_PER_DAY": env.int("SMS_ALL_PER_DAY", default=2000),
    # Wrong codes entered for one phone, whichever codes they were meant for.
    "WRONG_CODES_PER_PHONE_PER_HOUR": env.int("SMS_WRONG_CODES_PER_PHONE_PER_HOUR", default=10),
}

# Celery (config/celery.py): background and periodic work, each task calling a service.
# Without a broker (the embedded default, and the tests) a task runs inline where it is queued,
# so a single process needs no Redis and no worker; with one, `make worker` runs the tasks and
# exactly one `make beat` queues the periodic ones below.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # nothing reads a task's result: the work is in the database
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # log through LOGGING below, like the web processes
CELERY_TIMEZONE = "Asia/Shanghai"  # the crontab times below are Guangdong's
CELERY_BEAT_SCHEDULE = {
    # Yesterday's home-page figures, once, just after midnight (demands.stats).
    "stats-snapshot": {
        "task": "demands.tasks.stats_snapshot_take",
        "schedule": crontab(hour=0, minute=5),
    },
    # Open demands whose period ended yesterday (as `manage.py expire_demands`).
    "demand-expire-due": {
        "task": "demands.tasks.demand_expire_due",
        "schedule": crontab(hour=0, minute=15),
    },
    # Overdue reviews (past review_due_at), in office hours; each task's reviewers at most once
    # a day.
    "review-overdue-remind": {
        "task": "workflows.tasks.review_overdue_remind",
        "schedule": crontab(hour=9, minute=0),
    },
    # Deadlines (docs/deadlines.md): escalate open reviews, warn and lapse idle approved claims.
    "deadlines-run": {
        "task": "workflows.tasks.deadlines_run",
        "schedule": crontab(minute="*/10"),
    },
    # Idempotency records older than IDEMPOTENCY_TTL, with the answers they keep: every hour.
    "idempotency-record-prune": {
        "task": "api.tasks.idempotency_record_prune",
        "schedule": crontab(minute=40),
    },
    # Webhook deliveries whose retry is due (webhooks/services.py): every minute.
    "webhook-redeliver-due": {
        "task": "webhooks.tasks.webhook_redeliver_due",
        "schedule": crontab(),
    },
}

# Webhooks of volunteer orgs (docs/webhooks.md). A failed attempt is retried after
# BASE * 2**(attempts - 1) seconds (60 s, 2, 4, 8, 16 min) until MAX_ATTEMPTS, then it failed.
# Endpoints must be https:// to public addresses; ALLOW_HTTP and ALLOW_PRIVATE lift that for
# development and tests only (a receiver on this machine or the office network).
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_MAX_ENDPOINTS_PER_ORG = env.int("WEBHOOK_MAX_ENDPOINTS_PER_ORG", default=5)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)

# Domain settings
PLATFORM = {
    # Password that imported 智慧团建 accounts start with; must be changed on first login.
    "INITIAL_PASSWORD": "000000",
    # Deadlines (docs/deadlines.md), in calendar days, Asia/Shanghai. A review is due this
    # many days after its claim (overdue after that; "due soon" the day before).
    "REVIEW_DUE_DAYS": env.int("REVIEW_DUE_DAYS", default=3),
    # A review still open this many days after its claim reaches the demand's league org's
    # parent, and one level further each such period, up to the province.
    "REVIEW_ESCALATE_DAYS": env.int("REVIEW_ESCALATE_DAYS", default=7),
    # An approved claim lapses (认领失效) when its activity is not published within this many
    # days (and never later than the demand's period); the claimer is warned
    # LAPSE_WARNING_DAYS before.
    "CLAIM_ACTIVITY_DAYS": env.int("CLAIM_ACTIVITY_DAYS", default=7),
    "LAPSE_WARNING_DAYS": env.int("LAPSE_WARNING_DAYS", default=2),
    # Login throttling (orgs/security.py): failed password checks within the window refuse
    # further logins until they leave it: 5 for one account from one address (that address
    # only); 20 from one address (every account); 50 for one account from anywhere (every
    # address but those it logged in from within LOGIN_KNOWN_ADDRESS_TTL).
    "LOGIN_FAILURE_WINDOW": datetime.timedelta(hours=1),
    "LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": 5,
    "LOGIN_FAILURES_PER_ADDRESS": 20,
    "LOGIN_FAILURES_PER_ACCOUNT": 50,
    "LOGIN_KNOWN_ADDRESS_TTL": datetime.timedelta(days=30),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
