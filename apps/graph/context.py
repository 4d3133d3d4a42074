"""Who is asking: the same user in an HTTP request (authenticated as the REST API does) and
in a websocket connection (its session, or the token its connection_init carried)."""

from strawberry.types import Info


def user_of(info: Info):
    context = info.context
    if isinstance(context, dict):  # a websocket connection's context (consumers.py)
        return context["user"]
    return context.request.user
