"""/ws/graphql/: subscriptions over the websocket process (the graphql-transport-ws
protocol, as graphql-ws clients speak it).

A browser's session authenticates the socket as on /ws/notify/ (the same origin check
guards it); other clients send their token in `connection_init`:
`{"type": "connection_init", "payload": {"authorization": "Bearer fo_..."}}`. Without
either, the socket is closed with 4403. The identity is checked again at every heartbeat of
each subscription: a revoked token or an ended session completes them."""

from django.utils.translation import gettext as _
from strawberry.channels import GraphQLWSConsumer
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from apps.realtime.consumers import _session_user, _token_user


class GraphQLSubscriptionsConsumer(GraphQLWSConsumer):
    async def get_context(self, request, response) -> dict:
        return {"request": request, "ws": request, "user": None, "still_allowed": None}

    async def on_ws_connect(self, context):
        address = (self.scope.get("client") or ("",))[0]
        params = context.get("connection_params")
        authorization = params.get("authorization") if isinstance(params, dict) else None
        if isinstance(authorization, str) and authorization[:7].lower() == "bearer ":
            token = authorization[7:]
            user = await _token_user(token, address)

            async def still_allowed() -> bool:
                current = await _token_user(token, address)
                return current is not None and current.pk == user.pk
        else:
            user = self.scope.get("user")
            if user is None or not user.is_authenticated or not user.is_active:
                user = None
            session_key = self.scope["session"].session_key if user is not None else None

            async def still_allowed() -> bool:
                current = await _session_user(session_key)
                return current is not None and current.pk == user.pk

        if user is None:
            raise ConnectionRejectionError(
                {"message": _("Sign in, or send authorization: Bearer <token> in connection_init.")}
            )
        context["user"] = user
        context["still_allowed"] = still_allowed


def graphql_consumer():
    from apps.graph.schema import schema

    return GraphQLSubscriptionsConsumer.as_asgi(
        schema=schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
    )
