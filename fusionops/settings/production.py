"""Production: HTTPS behind a proxy, secure cookies, JSON logs. `check --deploy` is clean."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, finalize

DEBUG = False
# No default: every entry point (manage.py, the image's processes) runs these settings
# unless told otherwise, and must not sign sessions, tokens or the log with a known key.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production settings need a key of 50+ random characters "
        "(or run with DJANGO_SETTINGS_MODULE=fusionops.settings.development)."
    )
# Serving as a superuser or as the tables' owner would let the portal switch its own audit
# protections off: refused at start (DATABASE_ROLE=owner is the migrate job's).
DATABASE_REFUSE_PRIVILEGED = env.bool("DATABASE_REFUSE_PRIVILEGED", default=True)
LOG_FORMAT = env.str("LOG_FORMAT", default="json")

# TLS ends at the ingress or proxy, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes speak plain HTTP inside the cluster (scrapers use each process's metrics port).
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

finalize(globals())
