"""Settings shared by every environment, read from the environment (12-factor).

Environment-specific modules (development, production, test) import this one and
adjust defaults; every value a deployment may want to change is an environment variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats as import_formats

from apps.eventlog.keys import checked_audit_keys
from apps.platform.error_reporting import init_error_reporting
from apps.platform.roles import ROLES
from fusionops.logging import build_logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# A development-only key: the portal refuses to start with it (or any weak key) unless DEBUG is on.
INSECURE_SECRET_KEY = "django-insecure-fusionops-development-only-never-use-in-production"  # noqa: S105  refused unless DEBUG

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
APP_BUILD = env.str("APP_BUILD", default="")


def require_strong_secret_key(secret_key: str, debug: bool) -> None:
    """Refuse to run a non-debug portal on a default, guessable or short secret."""
    if debug:
        return
    if secret_key == INSECURE_SECRET_KEY or secret_key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is the insecure development default; set SECRET_KEY (50+ random "
            "characters) or DEBUG=true."
        )
    if len(secret_key) < 50 or len(set(secret_key)) < 5:
        raise ImproperlyConfigured("SECRET_KEY is too weak: use 50+ random characters.")


INSTALLED_APPS = [
    "django_prometheus",
    "fusionops.apps.FusionOpsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mozilla_django_oidc",
    "csp",
    "apps.platform",
    "apps.core",
    "apps.accounts",
    "apps.eventlog",
    "apps.resources",
    "apps.inventory",
    "apps.orders",
    "apps.integrations",
    "apps.reports",
    "import_export",
    "apps.realtime",
    "apps.graph",
    "strawberry_django",  # manage.py export_schema (make graphql-schema)
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.platform.middleware.RequestIdMiddleware",
    "apps.platform.middleware.RejectNulMiddleware",
    # Marks answers to the old forms of API paths and parameters (see apps.platform.api.routes).
    "apps.platform.api.routes.DeprecationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "fusionops.urls"
WSGI_APPLICATION = "fusionops.wsgi.application"
ASGI_APPLICATION = "fusionops.asgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Permissions for everyone; passwords only while FUSIONOPS_LOCAL_LOGIN is on.
    "apps.accounts.backends.CachedPermissionsBackend",
    "apps.accounts.oidc.OidcBackend",
]

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: PostgreSQL only (exclusion constraints, partitioning, LISTEN/NOTIFY are used).
# The django-prometheus engine wraps Django's PostgreSQL backend to count queries and errors.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgres://fusionops_app@127.0.0.1:5432/fusionops",
        engine="django_prometheus.db.backends.postgresql",
    )
}
# Persistent connections suit gunicorn's sync workers; the health check drops broken ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
    "DB_CONNECT_TIMEOUT", default=5
)
# Django's own queries bind parameters client-side and are never prepared; this lets the one
# statement that runs on every write (the event append) be prepared once per connection,
# which halves its cost. A transaction-pooling PgBouncer needs max_prepared_statements > 0.
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
# A session of the portal left idle inside a write transaction would hold the sealer (and
# so live updates) back: PostgreSQL ends it after this long. 0 switches it off.
DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS = env.int(
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", default=60
)
DATABASES["default"]["OPTIONS"]["options"] = (
    f"-c idle_in_transaction_session_timeout={DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS * 1000}"
)
# Behind a transaction-pooling PgBouncer (web and ws), consecutive transactions of one
# Django connection may run on different server sessions: nothing may outlive a
# transaction there. So no prepared statements (PgBouncer 1.18 cannot carry them), no
# server-side cursors (an iterator's cursor spans transactions), and no `options` startup
# parameter (PgBouncer refuses it; its idle_transaction_timeout does that job). What needs
# a session (the worker's LISTEN, its advisory locks, the sealer; migrations) connects to
# DATABASE_DIRECT_URL instead: deploy/entrypoint.sh gives it to the worker and to migrate.
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    DATABASES["default"]["OPTIONS"].pop("options")
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# The ASGI process (websockets) runs sync code on a thread pool: there, a pool of
# connections shared by the threads, not a persistent connection per thread.
if env.bool("DB_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": 10,
    }
# The database roles (apps.platform.db_roles): web, ws and worker connect as the runtime
# role; migrations run as the owner (DATABASE_ROLE=owner with the owner's DATABASE_URL).
DATABASE_ROLE = env.str("DATABASE_ROLE", default="runtime")
DATABASE_OWNER_ROLE = env.str("DATABASE_OWNER_ROLE", default="fusionops_owner")
DATABASE_RUNTIME_ROLE = env.str("DATABASE_RUNTIME_ROLE", default="fusionops_app")
# A superuser's connection, for `manage.py ensure_database` only (roles, database, guard).
DATABASE_ADMIN_URL = env.str(
    "DATABASE_ADMIN_URL", default="postgres://root@127.0.0.1:5432/postgres"
)
# Serving processes refuse to start connected as a superuser or as the tables' owner.
DATABASE_REFUSE_PRIVILEGED = env.bool("DATABASE_REFUSE_PRIVILEGED", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="fusionops"),
        # While Redis is unreachable the cache misses (reads fall back to the database)
        # and writes are dropped, logged: the API keeps working without it.
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2, "IGNORE_EXCEPTIONS": True},
    }
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "fusionops.cache"

# The channel layer that carries live updates to websocket consumers. The pub/sub layer
# delivers every message of a burst (the default layer drops group messages once a
# channel holds 100); clients still detect a gap by `seq` and resume from the log.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env.str("CHANNEL_LAYER_PREFIX", default="fusionops"),
        },
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by the set-up from assets/package-lock.json (npm), served by the portal itself.
    ("vendor/chart.js", BASE_DIR / "assets" / "node_modules" / "chart.js" / "dist"),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "apps.platform.staticfiles.VendorFilesFinder",
]
# Files of npm packages served as they are: GraphiQL's page (development) and what it loads.
_NODE_MODULES = BASE_DIR / "assets" / "node_modules"
STATIC_VENDOR_FILES = {
    "vendor/graphiql": (
        _NODE_MODULES / "graphiql",
        ["graphiql.min.js", "graphiql.min.js.map", "graphiql.min.css", "graphiql.min.css.map"],
    ),
    "vendor/react": (_NODE_MODULES / "react" / "umd", ["react.production.min.js"]),
    "vendor/react-dom": (_NODE_MODULES / "react-dom" / "umd", ["react-dom.production.min.js"]),
    "vendor/graphql-ws": (_NODE_MODULES / "graphql-ws" / "umd", ["graphql-ws.min.js"]),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "admin:login"
# After signing in: the admin for staff, the board for others, a page saying so for people
# without any role.
LOGIN_REDIRECT_URL = "signed-in"
LOGOUT_REDIRECT_URL = "/"

# --- Signing in ---------------------------------------------------------------------------
# Username and password at the admin's login page: on in development, off in production,
# where people sign in through the identity provider.
FUSIONOPS_LOCAL_LOGIN = env.bool("FUSIONOPS_LOCAL_LOGIN", default=False)
# Failed local sign-ins per client address and username before the form refuses for a while.
LOCAL_LOGIN_FAILURES_ALLOWED = env.int("LOCAL_LOGIN_FAILURES_ALLOWED", default=5)
LOCAL_LOGIN_LOCKOUT_SECONDS = env.int("LOCAL_LOGIN_LOCKOUT_SECONDS", default=900)
# The identity provider (OpenID Connect): Keycloak or any other. Discovery fills in the
# endpoints; any of them may be set on its own instead.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for RP-initiated logout
OIDC_OP_LOGOUT_URL_METHOD = "apps.accounts.provider.provider_logout_url"
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
# Where the provider puts roles (a dotted path for nested claims, e.g. realm_access.roles),
# and how its role names map to FusionOps roles ("fusion-admin=Admin,ops=Operator"); without
# a map, a provider role spelled like a FusionOps role is that role.
OIDC_ROLES_CLAIM = env.str("OIDC_ROLES_CLAIM", default="groups")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
# Bearer access tokens from the provider: the audiences accepted (default: the client id),
# the signature algorithms accepted, and how long keys and userinfo answers are kept.
OIDC_BEARER_AUDIENCE = env.list("OIDC_BEARER_AUDIENCE", default=[])
OIDC_BEARER_ALGORITHMS = env.list(
    "OIDC_BEARER_ALGORITHMS",
    default=["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"],
)
OIDC_JWKS_CACHE_SECONDS = env.int("OIDC_JWKS_CACHE_SECONDS", default=300)
# A token naming an unknown key id refetches the keys at most this often (rotation).
OIDC_JWKS_REFRESH_COOLDOWN_SECONDS = env.float("OIDC_JWKS_REFRESH_COOLDOWN_SECONDS", default=10)
OIDC_USERINFO_CACHE_SECONDS = env.int("OIDC_USERINFO_CACHE_SECONDS", default=60)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=30)

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first: its WWW-Authenticate header turns "no credentials" into a 401.
        "apps.accounts.authentication.BearerTokenAuthentication",
        "apps.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.platform.api.permissions.ModelPermissions"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "apps.platform.api.filters.FilterBackend",
        "apps.platform.api.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.platform.api.parsers.JSONParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.platform.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "apps.platform.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.platform.api.throttling.AnonRateThrottle",
        "apps.platform.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        # Failed token authentications per client address.
        "auth_failure": env.str("API_THROTTLE_AUTH_FAILURES", default="30/min"),
    },
    # How many proxies in front set X-Forwarded-For; 0 trusts only the socket's address,
    # so a client cannot pick its own identity for rate limits.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "apps.platform.api.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "FusionOps API",
    "DESCRIPTION": (
        "Operations portal API. Errors are application/problem+json; authenticate with "
        "`Authorization: Bearer <token>` (see `manage.py issue_token`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: the docs work without any CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's problem+json errors and request-id headers (apps/platform/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.platform.api.schema.document_problems",
    ],
    # Several models have a "kind" (or "status"); each set of choices gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "ResourceKindEnum": "apps.resources.choices.ResourceKind",
        "AllocationStatusEnum": "apps.resources.choices.AllocationStatus",
        "LocationKindEnum": "apps.inventory.choices.LocationKind",
        "MovementKindEnum": "apps.inventory.choices.MovementKind",
        "ReplenishmentStatusEnum": "apps.inventory.choices.ReplenishmentStatus",
        "OrderStatusEnum": "apps.orders.choices.OrderStatus",
        "ApiTokenStatusEnum": "apps.accounts.selectors.TOKEN_STATUSES",
    },
}

# --- Events: the relay and its subscribers -----------------------------------------------
EVENTS_MAX_ATTEMPTS = env.int("EVENTS_MAX_ATTEMPTS", default=5)
EVENTS_BACKOFF_BASE_SECONDS = env.float("EVENTS_BACKOFF_BASE_SECONDS", default=1.0)
EVENTS_BACKOFF_FACTOR = env.float("EVENTS_BACKOFF_FACTOR", default=2.0)
EVENTS_RELAY_BATCH_SIZE = env.int("EVENTS_RELAY_BATCH_SIZE", default=200)
# Deliveries of a claim run in transactions of at most this many (their locks held that long).
EVENTS_RELAY_TRANSACTION_SIZE = env.int("EVENTS_RELAY_TRANSACTION_SIZE", default=20)
EVENTS_RELAY_POLL_SECONDS = env.float("EVENTS_RELAY_POLL_SECONDS", default=5.0)
# The worker touches this file on every pass of its loop, connected or not: its liveness
# probe (`deploy/entrypoint.sh alive`) checks its age. Empty: no file.
WORKER_HEARTBEAT_FILE = env.str("WORKER_HEARTBEAT_FILE", default="")
# Readiness of web says "degraded" (still 200) past these: the freshest worker heartbeat
# (written every WORKER_HEARTBEAT_SECONDS), outbox and seal lag, partitions ready ahead.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=5.0)
HEALTH_WORKER_HEARTBEAT_MAX_SECONDS = env.float("HEALTH_WORKER_HEARTBEAT_MAX_SECONDS", default=60)
HEALTH_OUTBOX_LAG_MAX_SECONDS = env.float("HEALTH_OUTBOX_LAG_MAX_SECONDS", default=60)
HEALTH_SEAL_LAG_MAX_SECONDS = env.float("HEALTH_SEAL_LAG_MAX_SECONDS", default=120)
HEALTH_PARTITION_MONTHS_MIN = env.int("HEALTH_PARTITION_MONTHS_MIN", default=2)
# A claimed delivery is not due again for this long: a worker that died holding it leaves
# it to others after the lease (its attempt counted).
EVENTS_RELAY_LEASE_SECONDS = env.float("EVENTS_RELAY_LEASE_SECONDS", default=30.0)
EVENTS_RELAY_STATEMENT_TIMEOUT = env.int("EVENTS_RELAY_STATEMENT_TIMEOUT", default=60)
# What each integration may append to the log (POST /api/v1/events/): events per minute,
# and bytes of request bodies per day; past either, 429 with Retry-After.
EVENTS_INGEST_RATE = env.str("EVENTS_INGEST_RATE", default="600/min")
EVENTS_INGEST_BYTES_PER_DAY = env.int("EVENTS_INGEST_BYTES_PER_DAY", default=200_000_000)
# Bulk import and export in the admin: CSV and XLSX; the file waits for its confirmation in
# the cache (Redis: the confirming request may reach another process); importing takes the
# add permission of the model, exporting the view permission.
IMPORT_EXPORT_FORMATS = [import_formats.CSV, import_formats.XLSX]
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The reports' materialized views are refreshed this often by the worker.
REPORTS_REFRESH_SECONDS = env.float("REPORTS_REFRESH_SECONDS", default=300.0)
# --- Webhooks ----------------------------------------------------------------------------
# A receiver must answer within this; its deliveries are tried this many times (backoff as
# above, capped at an hour), and an endpoint with this many dead letters since it was
# enabled is disabled. After a secret's rotation, the previous one signs too for this long.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=15)
WEBHOOK_DISABLE_AFTER_DEAD_LETTERS = env.int("WEBHOOK_DISABLE_AFTER_DEAD_LETTERS", default=20)
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# Production calls HTTPS URLs on public addresses only (no loopback, private or link-local:
# a webhook must not reach into the portal's own network); development may relax both.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=True)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
# --- Broker bridges (each off unless its URL is set) --------------------------------------
# Public events to RabbitMQ (a durable topic exchange, routing key = event type) and to NATS
# JetStream (a stream over <prefix>.>, subject = <prefix>.<event type>). A delivery is done
# once the broker confirmed it; unconfirmed ones are retried this many times.
BRIDGE_RABBITMQ_URL = env.str("BRIDGE_RABBITMQ_URL", default="")
BRIDGE_RABBITMQ_EXCHANGE = env.str("BRIDGE_RABBITMQ_EXCHANGE", default="fusionops.events")
BRIDGE_NATS_URL = env.str("BRIDGE_NATS_URL", default="")
BRIDGE_NATS_STREAM = env.str("BRIDGE_NATS_STREAM", default="FUSIONOPS")
BRIDGE_NATS_PREFIX = env.str("BRIDGE_NATS_PREFIX", default="fusionops")
BRIDGE_PUBLISH_TIMEOUT_SECONDS = env.float("BRIDGE_PUBLISH_TIMEOUT_SECONDS", default=10.0)
BRIDGE_MAX_ATTEMPTS = env.int("BRIDGE_MAX_ATTEMPTS", default=25)
# Share (0..1) of delivery attempts the relay fails on purpose, to watch retries work.
FUSIONOPS_CHAOS_FAILURE_RATE = env.float("FUSIONOPS_CHAOS_FAILURE_RATE", default=0.0)
# The audit log's own keys, a JSON object of key id → key; AUDIT_SIGNING_KEY_ID signs and
# chains what is written now, the others only verify what they signed. Unset, the log is
# keyed by SECRET_KEY under the id "secret-key" (as before audit keys existed): set them in
# production, keeping "secret-key": <the old SECRET_KEY> for the history signed so.
AUDIT_SIGNING_KEYS = env.json("AUDIT_SIGNING_KEYS", default={})
AUDIT_SIGNING_KEY_ID = env.str("AUDIT_SIGNING_KEY_ID", default="")
# Checkpoints of the chain's head, kept outside the database (apps.eventlog.checkpoints):
# how often the worker writes one, and the directory (write-once storage) it writes to.
AUDIT_CHECKPOINT_SECONDS = env.float("AUDIT_CHECKPOINT_SECONDS", default=300.0)
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default="")
# Backups by the worker (manage.py backup): where, how often, how many are kept.
BACKUP_DIR = env.str("BACKUP_DIR", default="")
BACKUP_INTERVAL_HOURS = env.float("BACKUP_INTERVAL_HOURS", default=24.0)
BACKUP_KEEP = env.int("BACKUP_KEEP", default=7)
AUDIT_PARTITION_MONTHS = env.int("AUDIT_PARTITION_MONTHS", default=12)
# Settled deliveries and their markers are kept this long (the log itself is kept forever).
EVENTS_DELIVERY_RETENTION_DAYS = env.int("EVENTS_DELIVERY_RETENTION_DAYS", default=14)

# --- Idempotency keys (POST with an Idempotency-Key header) ------------------------------
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# A retry that arrives while the first request is still running waits this long for it,
# then gets 409 with Retry-After.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=10.0)

# --- Resources and bookings ---------------------------------------------------------------
RESOURCES_MAX_ALLOCATION_DAYS = env.int("RESOURCES_MAX_ALLOCATION_DAYS", default=14)
# A booking that deadlocks with concurrent ones is run again this many times in all.
RESOURCES_BOOKING_ATTEMPTS = env.int("RESOURCES_BOOKING_ATTEMPTS", default=4)
# Matching: what each skill a resource has beyond the demand adds to its hourly cost, so
# that specialists are kept for work that needs them.
RESOURCES_MATCH_SURPLUS_SKILL_HOURLY = env.float(
    "RESOURCES_MATCH_SURPLUS_SKILL_HOURLY", default=5.0
)
RESOURCES_MATCH_MAX_DEMANDS = env.int("RESOURCES_MATCH_MAX_DEMANDS", default=2000)

# --- Orders and the simulated payment provider -----------------------------------------
# Share (0..1) of authorizations the simulated provider declines, and the largest amount it
# authorizes.
PAYMENTS_DECLINE_RATE = env.float("PAYMENTS_DECLINE_RATE", default=0.0)
PAYMENTS_AMOUNT_LIMIT = env.float("PAYMENTS_AMOUNT_LIMIT", default=50000.0)
ORDERS_MAX_LINES = env.int("ORDERS_MAX_LINES", default=200)

# --- Inventory ----------------------------------------------------------------------------
# How often the worker releases reservations past their expiry.
INVENTORY_EXPIRY_SWEEP_SECONDS = env.float("INVENTORY_EXPIRY_SWEEP_SECONDS", default=30.0)

# --- GraphQL (/graphql/ over HTTP, subscriptions at /ws/graphql/) --------------------------
# The schema answers introspection only where this allows it (development does; a
# deployment that serves code generators turns it on).
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=False)
# GraphiQL at /graphql/ for a browser: development only (the portal serves its files).
GRAPHQL_GRAPHIQL = False
# Limits of one document (apps/graph/limits.py): fields nested, objects it may read,
# aliases, and the largest page a connection gives.
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=5000)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=30)
GRAPHQL_MAX_PAGE_SIZE = env.int("GRAPHQL_MAX_PAGE_SIZE", default=100)

# --- Live updates (websockets) -------------------------------------------------------------
# Where browsers open the socket: a URL (ws[s]://host[:port]/ws/notify/ or a path on this
# site, when a proxy routes /ws/ to the ASGI processes). Empty: this host on WS_PORT.
REALTIME_WS_URL = env.str("REALTIME_WS_URL", default="")
WS_PORT = env.int("WS_PORT", default=env.int("PORT", default=8000) + 1)
# Pages of other origins (scheme://host[:port]) that may open sockets, beside this host.
REALTIME_ALLOWED_ORIGINS = env.list("REALTIME_ALLOWED_ORIGINS", default=[])
REALTIME_HEARTBEAT_SECONDS = env.float("REALTIME_HEARTBEAT_SECONDS", default=20.0)
# Messages waiting for one slow client before it is disconnected (it then resumes).
REALTIME_MAX_PENDING = env.int("REALTIME_MAX_PENDING", default=5000)
# A client that missed more messages than this is told to resync instead of replayed to;
# so is one that missed more log positions than the scan limit (of any topic).
REALTIME_REPLAY_LIMIT = env.int("REALTIME_REPLAY_LIMIT", default=1000)
REALTIME_REPLAY_SCAN_LIMIT = env.int("REALTIME_REPLAY_SCAN_LIMIT", default=200000)
REALTIME_PUBLISH_BATCH_SIZE = env.int("REALTIME_PUBLISH_BATCH_SIZE", default=500)
REALTIME_PUBLISH_TIMEOUT_SECONDS = env.float("REALTIME_PUBLISH_TIMEOUT_SECONDS", default=5.0)
# While no event comes, the stream says where it stands this often (a consumer that lost
# the last batch notices then).
REALTIME_TICK_SECONDS = env.float("REALTIME_TICK_SECONDS", default=5.0)
# API tokens issued by `manage.py issue_token`; those people issue themselves (the API,
# the admin) live at most API_TOKEN_MAX_DAYS.
API_TOKEN_DEFAULT_TTL = env.str("API_TOKEN_DEFAULT_TTL", default="30d")
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

# --- Security headers -------------------------------------------------------------------
# HSTS is only ever sent on HTTPS responses; secure cookies are switched on in production.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A working day: roles and deactivations at the identity provider apply at the next sign-in.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of the portal reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Swagger UI and the admin set inline style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging and request ids ------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# Optional error reporting to Sentry: off unless SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
# Optional traces (OpenTelemetry, OTLP over HTTP): off unless an endpoint is set. The SDK
# reads the other OTEL_* variables itself (headers, sampler, service name, attributes).
TRACING_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", default="") or env.str(
    "OTEL_EXPORTER_OTLP_ENDPOINT", default=""
)
PROMETHEUS_EXPORT_MIGRATIONS = False
# django-prometheus's metrics carry the portal's prefix too (fusionops_django_http_...).
PROMETHEUS_METRIC_NAMESPACE = "fusionops"


def finalize(namespace: dict) -> None:
    """Checks and derived values that must see the final, environment-specific settings."""
    require_strong_secret_key(namespace["SECRET_KEY"], namespace["DEBUG"])
    unknown = set(namespace["OIDC_ROLE_MAP"].values()) - set(ROLES)
    if unknown:
        raise ImproperlyConfigured(
            f"OIDC_ROLE_MAP names roles that do not exist: {sorted(unknown)}"
        )
    # Logging out ends at the provider: the logout form's redirect must be allowed there.
    for url in (namespace["OIDC_OP_DISCOVERY_URL"], namespace["OIDC_OP_LOGOUT_ENDPOINT"]):
        if url:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            directives = namespace["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
            if origin not in directives["form-action"]:
                directives["form-action"] = [*directives["form-action"], origin]
    for name in namespace["OIDC_BEARER_ALGORITHMS"]:
        if name.upper() == "NONE" or name.upper().startswith("HS"):
            raise ImproperlyConfigured(
                f"OIDC_BEARER_ALGORITHMS: {name} is refused (the provider's keys are public)."
            )
    namespace["AUDIT_SIGNING_KEYS"], namespace["AUDIT_SIGNING_KEY_ID"] = checked_audit_keys(
        namespace["AUDIT_SIGNING_KEYS"], namespace["AUDIT_SIGNING_KEY_ID"], namespace["SECRET_KEY"]
    )
    namespace["LOGGING"] = build_logging_config(namespace["LOG_FORMAT"], namespace["LOG_LEVEL"])
    init_error_reporting(
        dsn=namespace["SENTRY_DSN"],
        environment=namespace["SENTRY_ENVIRONMENT"],
        release=namespace["APP_BUILD"],
    )
