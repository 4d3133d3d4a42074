"""POST /graphql/ (and GET for queries): the schema over HTTP, served by gunicorn.

Callers authenticate as on the REST API (a bearer token, or the admin's session with its
CSRF token) and are throttled by the same rates; without credentials the answer is a 401
problem, as REST's. A browser in development gets GraphiQL, served by the portal itself."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings
from strawberry.django.views import GraphQLView

from apps.accounts.authentication import BearerTokenAuthentication, SessionAuthentication
from apps.platform.api.problems import problem_exception_handler
from apps.realtime.views import allow_socket, websocket_url

GRAPHQL_SOCKET_PATH = "/ws/graphql/"


def graphql_socket_url(request) -> str:
    """Where a browser opens the subscriptions socket: beside the notification socket."""
    return websocket_url(request).replace("/ws/notify/", GRAPHQL_SOCKET_PATH)


# CSRF is checked by the session authentication, as on the REST API (a bearer token
# needs none).
@method_decorator(csrf_exempt, name="dispatch")
class PortalGraphQLView(GraphQLView):
    authenticators = (BearerTokenAuthentication, SessionAuthentication)

    def dispatch(self, request, *args, **kwargs):
        if self._wants_graphiql(request):
            return self.graphiql(request)
        api_request = Request(request, authenticators=[a() for a in self.authenticators])
        try:
            user = api_request.user
            if not user.is_authenticated:
                raise exceptions.NotAuthenticated()
            for throttle in (cls() for cls in api_settings.DEFAULT_THROTTLE_CLASSES):
                if not throttle.allow_request(api_request, self):
                    raise exceptions.Throttled(wait=throttle.wait())
        except exceptions.APIException as error:
            if isinstance(error, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                error.auth_header = 'Bearer realm="api"'
            return problem_exception_handler(error, {})
        request.user = user
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _wants_graphiql(request) -> bool:
        return (
            settings.GRAPHQL_GRAPHIQL
            and request.method == "GET"
            and "query" not in request.GET
            and "text/html" in request.headers.get("Accept", "")
        )

    def graphiql(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        socket = graphql_socket_url(request)
        response = render(
            request,
            "graph/graphiql.html",
            {"graphiql": {"url": request.path, "subscriptionUrl": socket},
             "title": _("GraphQL")},
        )  # fmt: skip
        return allow_socket(response, socket)
