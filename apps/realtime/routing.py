"""The websocket side of the ASGI application."""

from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port
from django.urls import path

from apps.realtime import sse
from apps.realtime.consumers import NotifyConsumer

websocket_urlpatterns = [path("ws/notify/", NotifyConsumer.as_asgi())]


class BrowserOriginValidator(OriginValidator):
    """Refuse pages of other sites (the session cookie would otherwise let any site open a
    socket as the user): the page's Origin must name the host the socket was opened on (the
    portal serves pages and sockets on one host name), or be listed in
    REALTIME_ALLOWED_ORIGINS. Browsers always send Origin; integrations with a bearer token
    may not, and cannot be made to carry someone else's cookie."""

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin")
        if origin is None or self._allowed(
            urlparse(origin.decode("latin1")), headers.get(b"host", b"").decode("latin1")
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    def _allowed(self, origin, socket_host: str) -> bool:
        host, _port = split_domain_port(socket_host)
        return (bool(host) and origin.hostname == host) or self.validate_origin(origin)


def websocket_application(routes=()):
    """/ws/notify/ and the sockets of layers above this one (`routes`), behind the origin
    check and the session."""
    return BrowserOriginValidator(
        AuthMiddlewareStack(URLRouter([*websocket_urlpatterns, *routes])),
        settings.REALTIME_ALLOWED_ORIGINS,
    )


def health_only(http_application):
    """The ASGI process answers HTTP for its health checks and the server-sent event stream
    only: pages and the API are served under WSGI, and must not be reachable past the proxy
    on the websocket port."""

    async def application(scope, receive, send):
        if scope["path"].startswith("/health/"):
            return await http_application(scope, receive, send)
        if scope["path"] in (sse.PATH, sse.OLD_PATH):
            return await sse.event_stream(scope, receive, send)
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return application
