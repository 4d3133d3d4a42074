"""Local development: `make run`. DEBUG on by default, readable console logs."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env, finalize

DEBUG = env.bool("DEBUG", default=True)
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
FUSIONOPS_LOCAL_LOGIN = env.bool("FUSIONOPS_LOCAL_LOGIN", default=True)
# Receivers on this machine, over plain HTTP.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=False)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=True)

# make run keeps the audit log's checkpoints here (a deployment: write-once storage).
AUDIT_CHECKPOINT_DIR = env.str(
    "AUDIT_CHECKPOINT_DIR", default=str(BASE_DIR / "var" / "audit-checkpoints")
)

# GraphiQL at /graphql/, and the schema for it.
GRAPHQL_GRAPHIQL = True
GRAPHQL_INTROSPECTION = env.bool("GRAPHQL_INTROSPECTION", default=True)

finalize(globals())
