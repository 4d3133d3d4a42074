"""ASGI entry point. uvicorn runs it for websockets (/ws/); HTTP is served under WSGI (the
ASGI process answers its health checks only)."""

import os
from concurrent.futures import ThreadPoolExecutor

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusionops.settings.production")
# Sync code here runs in a thread pool, not one process per request: pooled database
# connections, not persistent ones per thread.
os.environ.setdefault("DB_POOL", "true")

http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  Django must be set up first
from django.urls import path  # noqa: E402

from apps.graph.consumers import graphql_consumer  # noqa: E402
from apps.platform.db_roles import refuse_privileged_connection  # noqa: E402
from apps.platform.metrics import serve_metrics  # noqa: E402
from apps.realtime.routing import health_only, websocket_application  # noqa: E402

# uvicorn imports this module inside its event loop, where Django refuses database calls.
with ThreadPoolExecutor(max_workers=1) as startup:
    startup.submit(refuse_privileged_connection).result()
serve_metrics()

application = ProtocolTypeRouter(
    {
        "http": health_only(http_application),
        "websocket": websocket_application([path("ws/graphql/", graphql_consumer())]),
    }
)
