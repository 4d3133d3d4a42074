"""Production: HTTPS behind a proxy, secure cookies, JSON logs. `check --deploy` is clean."""

from .base import *  # noqa: F403
from .base import env, finalize

DEBUG = False
# Serving as a superuser or as the tables' owner would let the portal switch its own audit
# protections off: refused at start (DATABASE_ROLE=owner is the migrate job's).
DATABASE_REFUSE_PRIVILEGED = env.bool("DATABASE_REFUSE_PRIVILEGED", default=True)
LOG_FORMAT = env.str("LOG_FORMAT", default="json")

# TLS ends at the ingress or proxy, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes and scrapers speak plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

finalize(globals())
