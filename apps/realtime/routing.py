"""The websocket side of the ASGI application."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from apps.realtime.consumers import NotifyConsumer

websocket_urlpatterns = [path("ws/notify/", NotifyConsumer.as_asgi())]


class BrowserOriginValidator(OriginValidator):
    """Refuse cross-site pages (the session cookie would otherwise let any site open a
    socket as the user). Browsers always send Origin; integrations with a bearer token may
    not, and cannot be made to carry someone else's cookie."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


def websocket_application():
    return BrowserOriginValidator(
        AuthMiddlewareStack(URLRouter(websocket_urlpatterns)), settings.ALLOWED_HOSTS
    )
